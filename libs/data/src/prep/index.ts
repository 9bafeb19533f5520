export * from './atomic-write.js';
export * from './manifest.js';
