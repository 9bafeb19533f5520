export * from './errors.js';
export * from './canonical-json.js';
export * from './atomic-write.js';
export * from './random.js';
export * from './python-format.js';
export * from './python-whitespace.js';
export * from './json-object.js';
export * from './output-target.js';
