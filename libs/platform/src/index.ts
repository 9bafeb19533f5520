export * from './config/config.js';
export * from './config/config-file.js';
export * from './logging/logger.js';
export * from './ports/index.js';
