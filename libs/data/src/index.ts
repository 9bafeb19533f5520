export * from './formats/records.js';
export * from './prep/index.js';
