export * from './object-store.js';
export * from './unit-manifest.js';
export * from './event-bus.js';
export * from './job-scheduler.js';
