/** Nest's own log lines (bootstrap, routes, its errors) through the service's pino logger. */
import type { LoggerService } from '@nestjs/common';
import type { Logger } from '@coin/platform';

export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  private line(level: 'debug' | 'info' | 'warn' | 'error' | 'trace', message: unknown, rest: unknown[]): void {
    const context = rest.length > 0 && typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    const fields = context ? { context } : {};
    if (message instanceof Error) this.logger[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'string') this.logger[level](fields, message);
    else this.logger[level]({ ...fields, value: message }, 'nest');
  }

  log(message: unknown, ...rest: unknown[]): void {
    // Nest's bootstrap chatter (every module and route) is debug detail for a service.
    this.line('debug', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.line('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.line('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.line('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.line('trace', message, rest);
  }
}
