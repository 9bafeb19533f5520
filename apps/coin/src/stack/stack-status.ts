/** `coin stack status`: each process of the stack, whether it is alive, its address and health. */
import { connect } from 'node:net';
import { healthOf } from './health-check.js';
import { isAlive } from './processes.js';
import type { StackFile, StackProcess } from './stack-file.js';

export interface ProcessStatus extends StackProcess {
  readonly alive: boolean;
  /** A service's gRPC health; `reachable` / `unreachable` for the broker and S3 (a TCP connect). */
  readonly health: string;
  readonly ok: boolean;
}

function tcpReachable(address: string, timeoutMs = 1000): Promise<boolean> {
  const url = /^https?:\/\//.test(address) ? new URL(address) : new URL(`tcp://${address.split(',')[0]}`);
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('connect', () => done(true));
    socket.on('error', () => done(false));
  });
}

export async function stackStatus(stack: StackFile): Promise<ProcessStatus[]> {
  return Promise.all(
    stack.processes.map(async (p) => {
      const alive = isAlive(p.pid);
      if (p.name === 'broker' || p.name === 's3') {
        const reachable = alive && (await tcpReachable(p.address));
        return { ...p, alive, health: reachable ? 'reachable' : 'unreachable', ok: reachable };
      }
      const health = alive ? await healthOf(p.address) : 'down';
      return { ...p, alive, health, ok: alive && health === 'SERVING' };
    }),
  );
}

/** The table `coin stack status` prints. */
export function formatStatus(rows: readonly ProcessStatus[]): string {
  const head = ['process', 'pid', 'alive', 'address', 'health', 'log'];
  const cells = rows.map((r) => [r.name, String(r.pid), r.alive ? 'yes' : 'no', r.address, r.health, r.log]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: readonly string[]) =>
    c
      .map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head), ...cells.map(line)].join('\n');
}
