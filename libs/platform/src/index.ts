export * from './config/config.js';
export * from './config/config-file.js';
export * from './config/job-variables.js';
export * from './logging/logger.js';
export * from './ports/index.js';
export * from './adapters/fs-object-store.js';
export { S3ObjectStore, type S3StoreOptions } from './adapters/s3/s3-object-store.js';
export {
  LOCAL_S3_CREDENTIALS,
  type LocalS3Options,
  openS3Service,
  type S3Credentials,
  type S3Service,
  serviceStoreOptions,
  startLocalS3,
} from './adapters/s3/local-s3.js';
export * from './adapters/store-from-config.js';
export * from './adapters/open-kubernetes-scheduler.js';
export * from './adapters/in-process-bus.js';
export * from './adapters/local-process-scheduler.js';
export * from './adapters/worker-side.js';
export * from './adapters/kafka/kafka-bus.js';
export * from './adapters/kafka/mock-broker.js';
export * from './adapters/kafka/group-offsets.js';
