export * from './schedule/lr-schedule.js';
export * from './methods/method.js';
export * from './methods/registry.js';
export * from './pretrain/index.js';
export * from './sequence/index.js';
