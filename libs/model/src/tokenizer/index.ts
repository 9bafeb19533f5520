export * from './tokenizer.js';
export * from './byte-level.js';
export * from './bpe-model.js';
export * from './bpe-train.js';
export * from './bpe-tokenizer.js';
export * from './hf-tokenizer.js';
export * from './tokenizer-json.js';
export * from './load.js';
