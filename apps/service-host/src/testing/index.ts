export * from './grpc-probes.js';
export * from './start-for-test.js';
export * from './spawn-service.js';
export * from './planned-run-fixture.js';
