/**
 * kafkajs' log lines, routed into our logger (never its own console output). kafkajs is asked for
 * warnings and errors only, and both are logged at warn: kafkajs reports a dropped connection it
 * is about to retry as an error, while the bus surfaces real failures to its caller as thrown errors.
 */
import type { logCreator, LogEntry } from 'kafkajs';
import type { Logger } from '../../logging/logger.js';

export function kafkajsLogCreator(logger: Logger | undefined): logCreator {
  return () =>
    ({ namespace, log }: LogEntry) => {
      if (logger === undefined) return;
      const { message, timestamp: _timestamp, logger: _name, ...extra } = log;
      logger.warn({ kafkajs: namespace, ...extra }, message);
    };
}
