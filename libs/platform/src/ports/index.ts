export * from './object-store.js';
export * from './store-path.js';
export * from './unit-manifest.js';
export * from './blob-check.js';
export * from './unit-store.js';
export * from './unit-materialize.js';
export * from './event-bus.js';
export * from './job-scheduler.js';
