/**
 * A service started in this process for a test: port 0 on loopback, a fresh store folder, logs
 * kept in memory (read them with `logs()`), and `stop()` that shuts it down and removes the folder.
 * Its event bus is the `bus` given (several services of one test share one), else — unless `env`
 * names Kafka brokers — an InProcessEventBus of its own, closed by `stop()`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { InProcessEventBus } from '@coin/platform';
import { type RunningService, type ServiceOptions, startService } from '../start-service.js';

export interface TestService {
  readonly service: RunningService;
  readonly address: string;
  readonly storeDir: string;
  /** Every log line so far, parsed. */
  logs(): Record<string, unknown>[];
  stop(): Promise<void>;
}

export async function startForTest(
  options: Omit<ServiceOptions, 'port' | 'host' | 'env'> & {
    readonly env?: Readonly<Record<string, string>>;
    readonly storeDir?: string;
  },
): Promise<TestService> {
  const ownStore = options.storeDir === undefined;
  const storeDir = options.storeDir ?? (await mkdtemp(join(tmpdir(), `coin-${options.name}-`)));
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const ownBus = options.bus === undefined && !options.env?.COIN_KAFKA_BROKERS ? new InProcessEventBus() : undefined;
  const service = await startService({
    shutdownDeadlineMs: 2_000,
    ...options,
    ...(ownBus ? { bus: ownBus } : {}),
    port: 0,
    host: '127.0.0.1',
    env: { COIN_STORE: storeDir, COIN_LOG_LEVEL: 'info', COIN_LOG_FORMAT: 'json', ...options.env },
    logDestination: sink,
  });
  return {
    service,
    address: service.address,
    storeDir,
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    async stop() {
      await service.shutdown('test over');
      await ownBus?.close();
      if (ownStore) await rm(storeDir, { recursive: true, force: true });
    },
  };
}
