export * from './decode.js';
export * from './resize.js';
export * from './preprocess.js';
export * from './cache.js';
export * from './verify.js';
export * from './image-folder.js';
