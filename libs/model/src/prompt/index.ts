export * from './vicuna.js';
export * from './image-tokens.js';
export * from './training-sample.js';
export * from './collate.js';
export * from './eval-prompt.js';
export * from './modality-length.js';
