export * from './tensor.js';
export * from './flat-params.js';
export * from './safetensors.js';
export * from './safetensors-file.js';
export * from './execution-provider.js';
export * from './ort-tensor.js';
export * from './session.js';
export * from './session-cache.js';
