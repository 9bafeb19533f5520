export * from './results/results.js';
export * from './report/index.js';
