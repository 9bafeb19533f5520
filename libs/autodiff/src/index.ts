// What other packages use: the composites that model code builds networks from, and training.
// The primitives and their gradient rules are internal; gradients() is exported so that layers
// above can check the gradients of their own graph terms (training penalties) against finite
// differences in float64, as gradcheck.test.ts does here.
export { layerNorm, rmsNorm } from './composites/norms.js';
export { geluErf, silu } from './composites/activations.js';
export { attention, maskBias, mergeHeads, splitHeads } from './composites/attention.js';
export { applyRotary, type RotaryTables, rotaryTables } from './composites/rotary.js';
export { crossEntropy } from './composites/cross-entropy.js';
export { gradients } from './backward.js';
export { buildTrainGraph, type TrainGraphKind, type TrainGraphSpec } from './training/assemble.js';
export { DEFAULT_GROUP, type ParamSpec } from './training/flat-layout.js';
export type { LearningRates } from './training/group-rates.js';
export { type GradientResult, type StepResult, TrainRunner, type TrainRunnerOptions } from './training/runner.js';
export { TrainState, type TrainSnapshot } from './training/train-state.js';
export { TRAIN_IO } from './training/assemble.js';
