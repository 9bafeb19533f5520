export * from './errors.js';
export * from './canonical-json.js';
