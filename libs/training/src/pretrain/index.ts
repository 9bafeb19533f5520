export * from './world-corpus.js';
export * from './world-tokenizer.js';
export * from './caption-samples.js';
export * from './pretrain-defaults.js';
export * from './pretrain-data.js';
export * from './base-store.js';
export * from './eval-loss.js';
export * from './pretrain.js';
