export * from './schedule/lr-schedule.js';
export * from './methods/method.js';
export * from './methods/registry.js';
export * from './loop/run.js';
export * from './loop/base-model.js';
export * from './loop/stage.js';
export * from './loop/stage-checkpoint.js';
export * from './loop/training-defaults.js';
