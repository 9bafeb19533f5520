export * from './atomic-write.js';
export * from './manifest.js';
export * from './progress.js';
export * from './validation-report.js';
export * from './prepare.js';
