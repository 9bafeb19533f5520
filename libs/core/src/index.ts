export * from './errors.js';
export * from './canonical-json.js';
export * from './atomic-write.js';
export * from './random.js';
