import { createRequire } from 'node:module';
import type * as Pino from 'pino';
import type * as Pretty from 'pino-pretty';
import type { DestinationStream, Logger, LoggerOptions } from 'pino';

export type { Logger } from 'pino';

// Required when the first logger is made, not on import: every `coin` call imports this library,
// most never log, and the two packages take ~50 ms to load.
const require = createRequire(import.meta.url);

export interface LoggerSettings {
  readonly level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** json: one object per line (services). pretty: human-readable lines (the CLI). */
  readonly format: 'json' | 'pretty';
  /** Component name added to every line, e.g. `trainer`. */
  readonly name?: string;
  /** Where lines go; defaults to stderr so that stdout stays clean for command output. */
  readonly destination?: NodeJS.WritableStream;
}

/** The only place pino is configured. */
export function createLogger(settings: LoggerSettings): Logger {
  const { pino } = require('pino') as typeof Pino;
  const options: LoggerOptions = { level: settings.level, name: settings.name, base: undefined };
  if (settings.format === 'pretty') {
    const { PinoPretty } = require('pino-pretty') as typeof Pretty;
    // In-process and synchronous: no worker thread, nothing lost when the CLI exits.
    const pretty = PinoPretty({
      sync: true,
      colorize: false,
      translateTime: 'HH:MM:ss',
      ignore: 'pid,hostname',
      destination: settings.destination ?? process.stderr,
    });
    return pino(options, pretty);
  }
  const destination = settings.destination ?? pino.destination({ fd: 2, sync: true });
  return pino(options, destination as DestinationStream);
}
