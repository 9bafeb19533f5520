/**
 * `coin stack down`: SIGTERM to the services (they drain, then exit 0), then to S3 and the broker;
 * SIGKILL to what outlives the deadline; the stack file removed. Nothing running is not an error.
 */
import { stopProcesses } from './processes.js';
import { readStackFile, removeStackFile, type StackProcess } from './stack-file.js';

export interface StackDownResult {
  /** Undefined when no stack file was there. */
  readonly stopped?: readonly StackProcess[];
  /** Processes that had to be killed (they ignored SIGTERM past the deadline). */
  readonly killed: readonly StackProcess[];
}

const INFRA = new Set(['broker', 's3']);

export async function stackDown(store: string, deadlineMs = 15_000): Promise<StackDownResult> {
  const stack = await readStackFile(store);
  if (!stack) return { killed: [] };
  const services = stack.processes.filter((p) => !INFRA.has(p.name));
  const infra = stack.processes.filter((p) => INFRA.has(p.name)).reverse();
  const killed: number[] = [];
  killed.push(
    ...(await stopProcesses(
      services.map((p) => p.pid),
      deadlineMs,
    )),
  );
  killed.push(
    ...(await stopProcesses(
      infra.map((p) => p.pid),
      5000,
    )),
  );
  await removeStackFile(store);
  return { stopped: stack.processes, killed: stack.processes.filter((p) => killed.includes(p.pid)) };
}
