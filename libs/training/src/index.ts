export * from './schedule/lr-schedule.js';
export * from './methods/method.js';
export * from './methods/registry.js';
