/**
 * @coin/contracts: the code generated from proto/coin/v1 (the grpc-js flavour: message types with
 * encode/decode, gRPC service definitions and clients), the event topics, and where the .proto
 * files are at run time. The NestJS flavour (controller interfaces and decorators) is a separate
 * entry point, `@coin/contracts/nest`, so that importing the contracts never loads NestJS.
 */
export * from './gen/grpc-js/index.coin.v1.js';
export { Timestamp } from './gen/grpc-js/google/protobuf/timestamp.js';
export * from './proto-files.js';
export * from './topics.js';
