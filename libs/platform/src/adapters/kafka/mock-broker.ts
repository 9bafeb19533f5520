/**
 * A local Kafka-protocol broker: librdkafka's mock cluster (real wire protocol, in memory) behind
 * the small C launcher native/kafka-mock.c, built with gcc on first use. For tests and `coin stack`.
 * The broker can be taken down and brought back while its state (topics, records, committed group
 * offsets) survives, which is how the Kafka bus's tests prove that nothing is lost across an outage.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALL_TOPICS } from '@coin/contracts';
import { CoinError, tempPathBeside } from '@coin/core';

export interface MockKafkaBroker {
  /** Bootstrap addresses, `127.0.0.1:PORT`, one per broker. */
  readonly brokers: string[];
  /** Every broker refuses connections; the cluster's state is kept. */
  down(): Promise<void>;
  /** The brokers accept connections again. */
  up(): Promise<void>;
  /** Ends the broker process (its state is gone). */
  stop(): Promise<void>;
}

export interface MockKafkaBrokerOptions {
  /** Topics created up front. Default: every event topic and its dead-letter twin (ALL_TOPICS). */
  readonly topics?: readonly string[];
  /** Partitions of each created topic. Default 3. Topics created on first use get librdkafka's 4. */
  readonly partitions?: number;
  /** Brokers in the cluster. Default 1. */
  readonly brokerCount?: number;
  /** Where the built launcher is kept. Default ~/.cache/coin/native. */
  readonly cacheDir?: string;
}

const SOURCE = fileURLToPath(new URL('../../../native/kafka-mock.c', import.meta.url));
const START_TIMEOUT_MS = 10_000;
const COMMAND_TIMEOUT_MS = 5_000;

function missingToolchain(detail: string): CoinError {
  return new CoinError('KAFKA_MOCK.BUILD', 'FAILED_PRECONDITION', `cannot build the local Kafka broker: ${detail}`, {
    hint: 'install the compiler and librdkafka headers: apt-get install librdkafka-dev gcc libc6-dev',
  });
}

/**
 * The launcher's path, built with gcc if this source version has not been built yet. The name
 * carries the source's hash; the binary is linked beside its final name and renamed into place.
 */
export function buildMockKafkaLauncher(cacheDir = join(homedir(), '.cache', 'coin', 'native')): Promise<string> {
  const source = readFileSync(SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const target = join(cacheDir, `kafka-mock-${hash}`);
  if (existsSync(target)) return Promise.resolve(target);
  mkdirSync(cacheDir, { recursive: true });
  const temp = tempPathBeside(target);
  return new Promise((resolve, reject) => {
    const gcc = spawn('gcc', ['-O2', '-Wall', '-o', temp, SOURCE, '-lrdkafka', '-lpthread'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    gcc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    gcc.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? missingToolchain('gcc is not installed') : error),
    );
    gcc.on('close', (code) => {
      if (code === 0) {
        renameSync(temp, target);
        resolve(target);
        return;
      }
      rmSync(temp, { force: true });
      const header = /rdkafka(_mock)?\.h/.test(stderr) && /No such file/.test(stderr);
      const linker = /cannot find -lrdkafka/.test(stderr);
      reject(
        header || linker
          ? missingToolchain(header ? 'the librdkafka headers are missing' : 'the librdkafka library is missing')
          : new CoinError('KAFKA_MOCK.BUILD', 'INTERNAL', `gcc failed (exit ${code}) building ${SOURCE}`, {
              details: { stderr: stderr.slice(-2000) },
            }),
      );
    });
  });
}

/** Builds (if needed) and starts a mock Kafka cluster; resolves once it listens. */
export async function startMockKafkaBroker(options: MockKafkaBrokerOptions = {}): Promise<MockKafkaBroker> {
  const launcher = await buildMockKafkaLauncher(options.cacheDir);
  const args = [
    '--brokers',
    String(options.brokerCount ?? 1),
    '--partitions',
    String(options.partitions ?? 3),
    // Loaded here, not on import: every `coin` process loads this library, few start a broker.
    ...(options.topics ?? ALL_TOPICS),
  ];
  const child = spawn(launcher, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  return new Launched(child).started();
}

export interface DetachedMockKafkaBroker {
  /** The launcher's process id: SIGUSR1 takes the brokers down, SIGUSR2 brings them up, SIGTERM ends it. */
  readonly pid: number;
  /** Bootstrap addresses, `127.0.0.1:PORT`, one per broker. */
  readonly brokers: string[];
}

const ADDRESS_LINE = /^[^\s,]+:\d+(,[^\s,]+:\d+)*$/;

/**
 * Builds (if needed) and starts a mock Kafka cluster as a detached process that outlives this one
 * (`coin stack up`): it reads no stdin, writes its output to `logFile` (the bootstrap list first)
 * and takes `down`/`up` as SIGUSR1/SIGUSR2. Resolves once it listens; a launcher that exits or
 * prints no address within 10 s is an error (and is killed).
 */
export async function startDetachedMockKafkaBroker(
  options: MockKafkaBrokerOptions & { readonly logFile: string },
): Promise<DetachedMockKafkaBroker> {
  const launcher = await buildMockKafkaLauncher(options.cacheDir);
  const topics = options.topics ?? ALL_TOPICS;
  const args = [
    '--detached',
    '--brokers',
    String(options.brokerCount ?? 1),
    '--partitions',
    String(options.partitions ?? 3),
    ...topics,
  ];
  mkdirSync(dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, 'w');
  const child = spawn(launcher, args, { stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  let exited = false;
  child.on('exit', () => (exited = true));
  child.on('error', () => (exited = true));
  child.unref();
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!exited && Date.now() < deadline) {
    const first = readFileSync(options.logFile, 'utf8').split('\n')[0];
    if (ADDRESS_LINE.test(first)) return { pid: child.pid!, brokers: first.split(',') };
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!exited) child.kill('SIGKILL');
  throw new CoinError('KAFKA_MOCK.START', 'INTERNAL', 'the local Kafka broker did not start', {
    hint: `see its output in ${options.logFile}`,
    details: { output: readFileSync(options.logFile, 'utf8').slice(-2000) },
  });
}

/** The running launcher: its stdout lines are the address, then one answer per command. */
class Launched implements MockKafkaBroker {
  brokers: string[] = [];
  private readonly lines: string[] = [];
  private readonly waiters: ((line: string | undefined) => void)[] = [];
  private stderr = '';
  private exited = false;
  private readonly exit: Promise<void>;

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      let at: number;
      while ((at = pending.indexOf('\n')) >= 0) {
        this.push(pending.slice(0, at));
        pending = pending.slice(at + 1);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4000)));
    child.stdin.on('error', () => undefined); // the process is gone; `exit` tells
    this.exit = new Promise((resolve) => {
      child.on('close', () => {
        this.exited = true;
        for (const wake of this.waiters.splice(0)) wake(undefined);
        resolve();
      });
      child.on('error', () => resolve());
    });
  }

  async started(): Promise<MockKafkaBroker> {
    const address = await this.nextLine(START_TIMEOUT_MS);
    if (address === undefined || !ADDRESS_LINE.test(address)) {
      await this.stop();
      throw new CoinError('KAFKA_MOCK.START', 'INTERNAL', 'the local Kafka broker did not start', {
        details: { output: address, stderr: this.stderr },
      });
    }
    this.brokers = address.split(',');
    return this;
  }

  down(): Promise<void> {
    return this.command('down');
  }

  up(): Promise<void> {
    return this.command('up');
  }

  async stop(): Promise<void> {
    if (!this.exited) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
      await this.exit;
      clearTimeout(timer);
    }
  }

  private async command(name: string): Promise<void> {
    if (this.exited) {
      throw new CoinError('KAFKA_MOCK.STOPPED', 'FAILED_PRECONDITION', `cannot send '${name}': the broker has stopped`);
    }
    this.child.stdin.write(`${name}\n`);
    const answer = await this.nextLine(COMMAND_TIMEOUT_MS);
    if (answer !== `ok ${name}`) {
      throw new CoinError('KAFKA_MOCK.COMMAND', 'INTERNAL', `the broker answered '${answer}' to '${name}'`, {
        details: { stderr: this.stderr },
      });
    }
  }

  private push(line: string): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(line);
    else this.lines.push(line);
  }

  private nextLine(timeoutMs: number): Promise<string | undefined> {
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.exited) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(done), 1);
        resolve(undefined);
      }, timeoutMs);
      const done = (line: string | undefined) => {
        clearTimeout(timer);
        resolve(line);
      };
      this.waiters.push(done);
    });
  }
}
