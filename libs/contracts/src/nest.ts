/**
 * @coin/contracts/nest: the NestJS flavour of the generated contracts: plain message interfaces,
 * `XxxServiceController` / `XxxServiceClient` interfaces and the `@XxxServiceControllerMethods()`
 * decorators. Nest parses the .proto files at run time: pass `PROTO_DIR`, `SERVICE_PROTO_FILES`
 * and `GRPC_LOADER_OPTIONS` (re-exported here) as its gRPC transport options.
 */
export * from './gen/nest/index.coin.v1.js';
export { GRPC_LOADER_OPTIONS, GRPC_PACKAGE, PROTO_DIR, SERVICE_PROTO_FILES } from './proto-files.js';
