import { pino, type Logger, type LoggerOptions } from 'pino';
import { PinoPretty } from 'pino-pretty';

export type { Logger } from 'pino';

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
  const options: LoggerOptions = { level: settings.level, name: settings.name, base: undefined };
  if (settings.format === 'pretty') {
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
  return pino(options, destination as pino.DestinationStream);
}
