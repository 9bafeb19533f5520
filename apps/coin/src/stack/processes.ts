/**
 * The stack's processes: started detached (their own process group, output to a log file) so they
 * outlive `coin stack up`; checked by pid; stopped with SIGTERM, then SIGKILL after a deadline.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Detached {
  readonly pid: number;
  /** True once the process has exited (only known for a process this one started). */
  exited(): boolean;
}

export function spawnDetached(
  command: string,
  args: readonly string[],
  options: {
    readonly env: NodeJS.ProcessEnv;
    readonly logFile: string;
    /** Add to the log instead of starting it anew (a restarted process keeps its earlier lines). */
    readonly append?: boolean;
  },
): Detached {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, options.append ? 'a' : 'w');
  const child = spawn(command, [...args], { env: options.env, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  let exited = child.pid === undefined;
  child.on('exit', () => (exited = true));
  child.on('error', () => (exited = true));
  child.unref();
  return { pid: child.pid ?? -1, exited: () => exited };
}

/** Whether a process with this id exists (a zombie of ours is reaped by Node and soon gone). */
export function isAlive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Signals the process's group (it leads one: spawned detached), else the process alone. */
function signal(pid: number, sig: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, sig);
      return;
    } catch {
      // no such group: try the process
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * SIGTERM to every pid, waits until all have exited or `deadlineMs` passed, then SIGKILL to what is
 * left. Resolves with the pids that had to be killed.
 */
export async function stopProcesses(pids: readonly number[], deadlineMs: number): Promise<number[]> {
  const live = pids.filter(isAlive);
  for (const pid of live) signal(pid, 'SIGTERM');
  const until = Date.now() + deadlineMs;
  while (live.some(isAlive) && Date.now() < until) await sleep(50);
  const killed = live.filter(isAlive);
  for (const pid of killed) signal(pid, 'SIGKILL');
  const hard = Date.now() + 2000;
  while (killed.some(isAlive) && Date.now() < hard) await sleep(20);
  return killed;
}

/**
 * The first JSON line of `logFile` for which `match` returns a value, or undefined (not yet); with
 * `fromByte`, only the lines from that offset on (the lines of a restarted process).
 */
export function findLogLine<T>(
  logFile: string,
  match: (fields: Record<string, unknown>) => T | undefined,
  fromByte = 0,
): T | undefined {
  let text: string;
  try {
    text = readFileSync(logFile).subarray(fromByte).toString('utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const found = match(JSON.parse(line) as Record<string, unknown>);
      if (found !== undefined) return found;
    } catch {
      // a line still being written
    }
  }
  return undefined;
}

/** The last lines of a log file, for an error message. */
export function logTail(logFile: string, lines = 5): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
