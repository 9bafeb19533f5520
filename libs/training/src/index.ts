export * from './schedule/lr-schedule.js';
