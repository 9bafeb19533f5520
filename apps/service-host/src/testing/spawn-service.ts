/**
 * A service's main.ts started as a real child process from its TypeScript sources (swc-node), for
 * what only a process shows: exit codes, signals, a failure to start.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface SpawnedService {
  readonly child: ChildProcess;
  /** Resolves with the `listening` log line's fields once the service listens. */
  readonly listening: Promise<Record<string, unknown>>;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

export function spawnService(
  mainFile: string,
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
  killAfterMs = 30_000,
): SpawnedService {
  const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', mainFile, ...argv], {
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let onListening: (fields: Record<string, unknown>) => void = () => {};
  const listening = new Promise<Record<string, unknown>>((resolve) => (onListening = resolve));
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const line of stderr.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const fields = JSON.parse(line) as Record<string, unknown>;
        if (fields.msg === 'listening') onListening(fields);
      } catch {
        // a line still being written
      }
    }
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stderr });
    }),
  );
  return { child, listening, done };
}
