import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const COIN_BIN = fileURLToPath(new URL('../../bin/coin.js', import.meta.url));

export interface ChildResult {
  /** The exit status, or null when the child ended by a signal (see `signal`). */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the child outlived `killAfterMs` and was killed (it hung). */
  readonly killed: boolean;
}

export interface SpawnOptions {
  /** Working directory of the child (default: this process's). */
  readonly cwd?: string;
  readonly killAfterMs?: number;
  /** Variables added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface SpawnedCli {
  readonly child: ChildProcess;
  readonly done: Promise<ChildResult>;
}

/**
 * Starts `coin <argv>` as a real child process (the launcher in bin/coin.js), for what an in-process
 * run cannot show: signals, and commands that might hang. A child still running after
 * `killAfterMs` is killed with SIGKILL and reported as `killed`, so a hang fails a test instead
 * of stalling the suite.
 */
export function spawnCli(argv: readonly string[], options: SpawnOptions = {}): SpawnedCli {
  const { cwd, killAfterMs = 60_000, env = {} } = options;
  const child = spawn(process.execPath, [COIN_BIN, ...argv], {
    cwd,
    env: { ...process.env, ...env, NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  let killed = false;
  const killer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, killAfterMs);
  const done = new Promise<ChildResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, killed });
    });
  });
  return { child, done };
}

/** Runs `coin <argv>` in a child process to the end. */
export function runCliChild(argv: readonly string[], options?: SpawnOptions): Promise<ChildResult> {
  return spawnCli(argv, options).done;
}
