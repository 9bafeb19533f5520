/**
 * `coin stack up`: a Kafka-protocol broker (librdkafka's mock cluster, or the configured Kafka), an
 * S3 server (s3rver, or the configured one) and the five services as detached processes with their
 * logs under `<store>/stack/logs/`; done when every service's health says SERVING. Never half up:
 * on any failure everything it started is stopped again.
 */
import { join } from 'node:path';
import { CoinError } from '@coin/core';
import { type CoinConfig, LOCAL_S3_CREDENTIALS, startDetachedMockKafkaBroker } from '@coin/platform';
import { ensureBuilt, s3Main, SERVICE_NAMES, serviceMain } from './entries.js';
import { healthOf } from './health-check.js';
import { type Detached, findLogLine, isAlive, logTail, spawnDetached, stopProcesses } from './processes.js';
import {
  logPath,
  readStackFile,
  STACK_FORMAT,
  type StackFile,
  type StackProcess,
  stackDir,
  stackFilePath,
  writeStackFile,
} from './stack-file.js';

export interface StackEntry {
  readonly name: string;
  /** A Node entry file started as `node <main> --port 0 --host 127.0.0.1`. */
  readonly main: string;
}

export interface StackUpOptions {
  /** The store folder: the stack's file, logs and local S3 data live under `<store>/stack/`. */
  readonly store: string;
  readonly config: CoinConfig;
  /** The environment the services inherit (the stack's own COIN_* settings override it). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Default: the five services from dist/. Tests pass their own. */
  readonly services?: readonly StackEntry[];
  /** How long a process may take to listen and report SERVING. Default 60 s. */
  readonly startTimeoutMs?: number;
  /** One line per process started. */
  readonly onStarted?: (p: StackProcess) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startFailed(name: string, log: string, why: string): CoinError {
  const tail = logTail(log);
  return new CoinError('STACK.START_FAILED', 'UNAVAILABLE', `${name} did not start: ${why}`, {
    hint: `see its log, ${log}${tail ? `, which ends:\n${tail}` : ''}`,
    details: { process: name, log },
  });
}

/**
 * Waits until the process logs its `listening` line with an address (in its log from `fromByte` on),
 * exits, or the deadline passes.
 */
async function listening(name: string, p: Detached, log: string, until: number, fromByte = 0): Promise<string> {
  for (;;) {
    const address = findLogLine(
      log,
      (f) => (f.msg === 'listening' && typeof f.address === 'string' ? f.address : undefined),
      fromByte,
    );
    if (address) return address;
    if (p.exited() || !isAlive(p.pid)) throw startFailed(name, log, 'it exited');
    if (Date.now() > until) throw startFailed(name, log, 'it did not listen in time');
    await sleep(50);
  }
}

async function serving(name: string, address: string, log: string, until: number): Promise<void> {
  let last = '';
  while (Date.now() <= until) {
    last = await healthOf(address, 1000);
    if (last === 'SERVING') return;
    await sleep(100);
  }
  throw startFailed(name, log, `its health is ${last}, not SERVING`);
}

/** Waits until a service just started listens and reports SERVING; resolves with its address. */
export async function serviceUp(name: string, p: Detached, log: string, until: number, fromByte = 0): Promise<string> {
  const address = await listening(name, p, log, until, fromByte);
  await serving(name, address, log, until);
  return address;
}

/** The environment of a stack's service: the caller's, with the stack's broker, S3 and store. */
export function serviceEnv(
  stack: Pick<StackFile, 'store' | 'kafka' | 's3'>,
  config: CoinConfig,
  env: Readonly<Record<string, string | undefined>>,
): NodeJS.ProcessEnv {
  const keys = stack.s3.local
    ? LOCAL_S3_CREDENTIALS
    : { accessKey: config.s3.accessKey ?? '', secretKey: config.s3.secretKey ?? '' };
  return {
    ...process.env,
    ...env,
    NODE_NO_WARNINGS: '1',
    COIN_STORE: stack.store,
    COIN_LOG_FORMAT: 'json',
    COIN_KAFKA_BROKERS: stack.kafka.brokers.join(','),
    COIN_S3_ENDPOINT: stack.s3.endpoint,
    COIN_S3_BUCKET: stack.s3.bucket,
    COIN_S3_ACCESS_KEY: keys.accessKey,
    COIN_S3_SECRET_KEY: keys.secretKey,
    // The mock broker hands out no producer ids, and holds a fetch for its full wait time; a crashed
    // service's requests go to its restarted successor after 6 s instead of 30.
    ...(stack.kafka.local
      ? { COIN_KAFKA_IDEMPOTENT: 'false', COIN_KAFKA_MAX_WAIT_MS: '100', COIN_KAFKA_SESSION_TIMEOUT_MS: '6000' }
      : {}),
  };
}

/** Refuses when a stack of this store is alive; says how to stop it. */
async function refuseSecond(store: string): Promise<void> {
  const existing = await readStackFile(store);
  if (existing?.processes.some((p) => isAlive(p.pid)))
    throw new CoinError(
      'STACK.ALREADY_RUNNING',
      'FAILED_PRECONDITION',
      `a stack is already running on the store ${store}`,
      {
        hint: `stop it first: coin stack down --store ${store} (coin stack status --store ${store} shows it)`,
        details: { stackFile: stackFilePath(store) },
      },
    );
}

export async function stackUp(options: StackUpOptions): Promise<StackFile> {
  const { store, config } = options;
  await refuseSecond(store);
  const until = () => Date.now() + (options.startTimeoutMs ?? 60_000);
  const started: StackProcess[] = [];
  const note = (p: StackProcess) => {
    started.push(p);
    options.onStarted?.(p);
  };
  try {
    await ensureBuilt();
    // (a) the broker
    let brokers = config.kafka.brokers;
    const localKafka = brokers.length === 0;
    if (localKafka) {
      const log = logPath(store, 'broker');
      const broker = await startDetachedMockKafkaBroker({ logFile: log });
      brokers = broker.brokers;
      note({ name: 'broker', pid: broker.pid, address: brokers.join(','), log });
    }
    // (b) the S3 server
    const localS3 = !config.s3.endpoint;
    let s3 = { endpoint: config.s3.endpoint ?? '', bucket: config.s3.bucket };
    if (localS3) {
      const log = logPath(store, 's3');
      const p = spawnDetached(process.execPath, [s3Main(), join(stackDir(store), 's3'), config.s3.bucket], {
        env: { ...process.env, NODE_NO_WARNINGS: '1' },
        logFile: log,
      });
      started.push({ name: 's3', pid: p.pid, address: '', log });
      const endpoint = await listening('s3', p, log, until());
      started.pop();
      note({ name: 's3', pid: p.pid, address: endpoint, log });
      s3 = { ...s3, endpoint };
    }
    // (c) the services, all at once
    const kafka = { brokers, local: localKafka };
    const s3Service = { endpoint: s3.endpoint, bucket: s3.bucket, local: localS3 };
    const env = serviceEnv({ store, kafka, s3: s3Service }, config, options.env);
    const entries = options.services ?? SERVICE_NAMES.map((name) => ({ name, main: serviceMain(name) }));
    const spawned = entries.map((s) => {
      const log = logPath(store, s.name);
      const p = spawnDetached(process.execPath, [s.main, '--port', '0', '--host', '127.0.0.1'], { env, logFile: log });
      started.push({ name: s.name, pid: p.pid, address: '', log });
      return { ...s, p, log };
    });
    const deadline = until();
    const ready = await Promise.all(
      spawned.map(async (s) => ({
        name: s.name,
        pid: s.p.pid,
        address: await serviceUp(s.name, s.p, s.log, deadline),
        log: s.log,
      })),
    );
    for (const r of ready) {
      const at = started.findIndex((p) => p.pid === r.pid);
      started[at] = r;
      options.onStarted?.(r);
    }
    const stack: StackFile = {
      format: STACK_FORMAT,
      store,
      startedAt: new Date().toISOString(),
      kafka,
      s3: s3Service,
      processes: started,
    };
    await writeStackFile(stack);
    return stack;
  } catch (e) {
    // Services first, then S3 and the broker: the reverse of the start order.
    await stopProcesses(started.map((p) => p.pid).reverse(), 10_000);
    throw e;
  }
}
