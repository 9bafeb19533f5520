export * from './tokenizer/index.js';
export * from './prompt/index.js';
export * from './checkpoint/index.js';
