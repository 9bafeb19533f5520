/**
 * The `main` of every service process: flags (--port, --host, --config), startService, and the
 * process edge — SIGTERM/SIGINT start a graceful shutdown and exit 0 when it is done (a second
 * signal exits at once); a failure to start prints one paragraph, no stack, and exits with the
 * CLI's codes (2 for a bad config or flag, 1 otherwise).
 */
import { parseArgs } from 'node:util';
import { CoinError, EXIT_FAILURE, EXIT_OK, exitCodeFor, isCoinError } from '@coin/core';
import { type RunningService, type ServiceOptions, startService } from './start-service.js';

export interface ServiceMainOptions extends Omit<ServiceOptions, 'port' | 'host' | 'configFile'> {
  /** The port when --port is not given (each service has its own, see the README). */
  readonly defaultPort: number;
  /** Command-line arguments (default process.argv.slice(2)). */
  readonly argv?: readonly string[];
}

function parseFlags(name: string, argv: readonly string[], defaultPort: number) {
  let values: { port?: string; host?: string; config?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { port: { type: 'string' }, host: { type: 'string' }, config: { type: 'string' } },
      strict: true,
    }));
  } catch (e) {
    throw new CoinError('SERVICE.BAD_FLAG', 'INVALID_ARGUMENT', (e as Error).message, {
      hint: `${name} takes --port N (0: a free port), --host ADDRESS and --config FILE`,
    });
  }
  const port = values.port === undefined ? defaultPort : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || values.port?.trim() === '')
    throw new CoinError(
      'SERVICE.BAD_FLAG',
      'INVALID_ARGUMENT',
      `--port must be a whole number from 0 to 65535, got ${JSON.stringify(values.port)}`,
      {
        hint: '0 picks a free port; the one bound is logged',
      },
    );
  return { port, host: values.host, configFile: values.config };
}

/** One paragraph for a person reading the terminal or `kubectl logs`. */
function describeFailure(name: string, e: unknown): string {
  if (isCoinError(e)) return `${name}: ${e.message} [${e.code}]${e.hint ? `\n  hint: ${e.hint}` : ''}\n`;
  return `${name}: failed to start: ${e instanceof Error ? e.message : String(e)}\n`;
}

export async function runServiceMain(options: ServiceMainOptions): Promise<RunningService | undefined> {
  let service: RunningService;
  try {
    const flags = parseFlags(options.name, options.argv ?? process.argv.slice(2), options.defaultPort);
    service = await startService({ ...options, ...flags });
  } catch (e) {
    process.stderr.write(describeFailure(options.name, e));
    process.exitCode = exitCodeFor(e) === EXIT_OK ? EXIT_FAILURE : exitCodeFor(e);
    return undefined;
  }
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      service.logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(EXIT_FAILURE);
    }
    signalled = true;
    service.shutdown(signal).then(
      () => process.exit(EXIT_OK),
      (e: unknown) => {
        service.logger.error({ err: e }, 'shutdown failed');
        process.exit(EXIT_FAILURE);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return service;
}
