export * from './config/config.js';
export * from './config/config-file.js';
export * from './logging/logger.js';
export * from './ports/index.js';
export * from './adapters/fs-object-store.js';
export * from './adapters/in-process-bus.js';
export * from './adapters/local-process-scheduler.js';
export * from './adapters/worker-side.js';
