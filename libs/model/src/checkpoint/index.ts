export * from './hf-names.js';
export * from './adapter-config.js';
export * from './adapter-tensors.js';
export * from './adapter-checkpoint.js';
export * from './base-tensors.js';
export * from './base-checkpoint.js';
