export * from './formats/records.js';
