export * from './schedule/lr-schedule.js';
export * from './methods/method.js';
export * from './methods/registry.js';
export * from './loop/run.js';
export * from './loop/base-model.js';
export * from './loop/stage.js';
export * from './loop/stage-checkpoint.js';
export * from './loop/training-defaults.js';
export * from './pretrain/index.js';
export * from './sequence/index.js';
// Both the method interface and pretraining name the presets (the same three): one export.
export type { PresetName } from './methods/method.js';
// The stage's parts, for `npm run bench -- stage` (the bare runner side rebuilds a stage's feeds and graphs).
export { buildMicroBatch } from './loop/batch-feeds.js';
export { ImageStore, prepareSamples, readTaskSamples, type PreparedSample } from './loop/samples.js';
export { stageTrainSpec } from './loop/train-graph.js';
