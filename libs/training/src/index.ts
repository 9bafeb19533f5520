export * from './schedule/lr-schedule.js';
export * from './pretrain/index.js';
export * from './sequence/index.js';
