export * from './formats/index.js';
export * from './prep/index.js';
export * from './templates/index.js';
export * from './readers/index.js';
export * from './images/index.js';
export * from './synth/index.js';
