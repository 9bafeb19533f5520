/**
 * Restarting one service of a running stack (docs/protocol.md#the-local-stack): stopped with
 * SIGTERM (it drains, as in `coin stack down`) or SIGKILL (a crash), started again from its main
 * with the environment the stack gives its services, its log continued, and its new pid and address
 * written to the stack file. What a deployment's supervisor does, and what the fault tests use.
 */
import { statSync } from 'node:fs';
import { CoinError } from '@coin/core';
import type { CoinConfig } from '@coin/platform';
import { SERVICE_NAMES, type StackServiceName, serviceMain } from './entries.js';
import { isAlive, spawnDetached, stopProcesses } from './processes.js';
import { readStackFile, type StackFile, type StackProcess, writeStackFile } from './stack-file.js';
import { serviceEnv, serviceUp } from './stack-up.js';

export interface RestartServiceOptions {
  readonly store: string;
  readonly name: StackServiceName;
  readonly config: CoinConfig;
  /** The environment the service inherits, as given to `stackUp`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `SIGTERM` (default): a graceful stop, SIGKILL after `stopDeadlineMs`; `SIGKILL`: a crash. */
  readonly signal?: 'SIGTERM' | 'SIGKILL';
  /** How long a SIGTERM may take before SIGKILL. Default 15 s, as `coin stack down`. */
  readonly stopDeadlineMs?: number;
  /** How long the new process may take to report SERVING. Default 60 s. */
  readonly startTimeoutMs?: number;
  /** Default: the service's main in dist/. */
  readonly main?: string;
  /** Runs once the old process is gone and before the new one starts (e.g. rewinding its consumer group). */
  readonly whileStopped?: () => Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Read-modify-writes of the stack file, one at a time in this process (restarts may run at once). */
let fileUpdates: Promise<unknown> = Promise.resolve();
function updateStackFile(store: string, change: (stack: StackFile) => StackFile): Promise<void> {
  const next = fileUpdates.then(async () => writeStackFile(change(await runningStack(store))));
  fileUpdates = next.catch(() => undefined);
  return next;
}

async function runningStack(store: string): Promise<StackFile> {
  const stack = await readStackFile(store);
  if (stack === undefined)
    throw new CoinError('STACK.NOT_RUNNING', 'FAILED_PRECONDITION', `no stack running on the store ${store}`, {
      hint: `start it with: coin stack up --store ${store}`,
    });
  return stack;
}

/** Stops the service (if alive) and starts it again; resolves with its new process once it is SERVING. */
export async function restartService(options: RestartServiceOptions): Promise<StackProcess> {
  const { store, name } = options;
  if (!(SERVICE_NAMES as readonly string[]).includes(name))
    throw new CoinError('STACK.UNKNOWN_SERVICE', 'INVALID_ARGUMENT', `${name} is not a service of the stack`, {
      hint: `one of ${SERVICE_NAMES.join(', ')}`,
    });
  const stack = await runningStack(store);
  const old = stack.processes.find((p) => p.name === name);
  if (old === undefined)
    throw new CoinError('STACK.UNKNOWN_SERVICE', 'NOT_FOUND', `the stack on ${store} has no ${name}`, {
      hint: 'restart the whole stack: coin stack down, then coin stack up',
    });
  if (options.signal === 'SIGKILL') {
    try {
      process.kill(-old.pid, 'SIGKILL');
    } catch {
      // gone already
    }
    while (isAlive(old.pid)) await sleep(20);
  } else await stopProcesses([old.pid], options.stopDeadlineMs ?? 15_000);
  await options.whileStopped?.();
  let logBytes = 0;
  try {
    logBytes = statSync(old.log).size;
  } catch {
    // no log yet: the new one starts it
  }
  const p = spawnDetached(process.execPath, [options.main ?? serviceMain(name), '--port', '0', '--host', '127.0.0.1'], {
    env: serviceEnv(stack, options.config, options.env),
    logFile: old.log,
    append: true,
  });
  let address: string;
  try {
    address = await serviceUp(name, p, old.log, Date.now() + (options.startTimeoutMs ?? 60_000), logBytes);
  } catch (e) {
    await stopProcesses([p.pid], 5000);
    throw e;
  }
  const started: StackProcess = { name, pid: p.pid, address, log: old.log };
  await updateStackFile(store, (now) => ({
    ...now,
    processes: now.processes.map((q) => (q.name === name ? started : q)),
  }));
  return started;
}

/**
 * Takes the stack's local broker down (`down`: its brokers stop answering, as in a network
 * partition; SIGUSR1) or brings it back (`up`: SIGUSR2). A stack on a configured Kafka has no
 * broker process of its own to signal.
 */
export async function setBrokerAvailability(store: string, state: 'down' | 'up'): Promise<void> {
  const stack = await runningStack(store);
  const broker = stack.processes.find((p) => p.name === 'broker');
  if (!stack.kafka.local || broker === undefined || !isAlive(broker.pid))
    throw new CoinError('STACK.NO_LOCAL_BROKER', 'FAILED_PRECONDITION', `the stack on ${store} runs no local broker`, {
      hint: 'only the mock broker `coin stack up` starts (no COIN_KAFKA_BROKERS) can be taken down this way',
    });
  process.kill(broker.pid, state === 'down' ? 'SIGUSR1' : 'SIGUSR2');
}
