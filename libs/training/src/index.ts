export * from './schedule/lr-schedule.js';
export * from './methods/method.js';
export * from './methods/registry.js';
export * from './pretrain/index.js';
export * from './sequence/index.js';
// The method interface and the pretraining both name the presets (the same union): one export.
export type { PresetName } from './methods/method.js';
