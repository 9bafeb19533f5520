export * from './results/results.js';
