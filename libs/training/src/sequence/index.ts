export * from './sequence-lengths.js';
export * from './default-buckets.js';
