export * from './formats/index.js';
export * from './prep/index.js';
export * from './templates/index.js';
