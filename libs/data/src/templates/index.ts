export * from './instructions.js';
export * from './seeded-hash.js';
export * from './volume.js';
export * from './task-order.js';
