/**
 * A Job's progress, read from its pod's log. The worker writes each progress event as one JSON line
 * `{"progress":{...}}` on stdout (pod-worker.ts), which is the pod's log; every other line (a log
 * message, a stack) is passed over. The log of the newest pod that has started is read every
 * `pollMs`, and the complete lines not read before are passed on; a pod that replaces it (a retry)
 * is read from its start. Polling, not a followed stream: @kubernetes/client-node's `Log` pipes the
 * response into the caller's stream without an error listener, so a cut connection there is an
 * uncaught exception. Nothing here imports a Kubernetes client: the scheduler gives the two calls.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { V1Pod } from '@kubernetes/client-node';

export interface PodLogSource {
  /** The Job's pods. */
  pods(): Promise<readonly V1Pod[]>;
  /** One pod's whole log so far. */
  log(pod: string): Promise<string>;
}

export type ProgressEvent = Readonly<Record<string, unknown>>;

/**
 * Reads the Job's pods' progress until `signal` aborts (the Job ended), passing each event on once;
 * then reads once more, so that every event written before the end is passed on (the caller waits
 * for this before it reports the end).
 */
export async function followPodProgress(
  source: PodLogSource,
  emit: (event: ProgressEvent) => void,
  signal: AbortSignal,
  pollMs = 1000,
): Promise<void> {
  const read = new Map<string, number>();
  const finished = new Set<string>();
  const pass = async (): Promise<void> => {
    const pod = await source.pods().then(newestStarted, () => undefined);
    if (pod === undefined || finished.has(pod.name)) return;
    const text = await source.log(pod.name).catch(() => undefined);
    if (text === undefined) return;
    // Complete lines only: the last one may still be being written.
    const lines = text.split('\n').slice(0, -1);
    for (const line of lines.slice(read.get(pod.name) ?? 0)) {
      const event = progressOf(line.replace(/\r$/, ''));
      if (event !== undefined) emit(event);
    }
    read.set(pod.name, Math.max(read.get(pod.name) ?? 0, lines.length));
    // Read after its container exited: that was all of it.
    if (pod.exited) finished.add(pod.name);
  };
  while (!signal.aborted) {
    await pass();
    // Aborted (the Job ended): on to the last read at once.
    await delay(pollMs, undefined, { signal }).catch(() => undefined);
  }
  await pass();
}

/** The progress event of one log line, or undefined for a line that is not one. */
export function progressOf(line: string): ProgressEvent | undefined {
  if (!line.startsWith('{"progress":')) return undefined;
  try {
    const value = JSON.parse(line) as { progress?: unknown };
    const event = value.progress;
    return typeof event === 'object' && event !== null && !Array.isArray(event) ? (event as ProgressEvent) : undefined;
  } catch {
    return undefined;
  }
}

function newestStarted(pods: readonly V1Pod[]): { name: string; exited: boolean } | undefined {
  const started = pods
    .filter((p) => ['Running', 'Succeeded', 'Failed'].includes(p.status?.phase ?? ''))
    .sort((a, b) => created(a) - created(b));
  const pod = started.at(-1);
  if (pod?.metadata?.name === undefined) return undefined;
  return { name: pod.metadata.name, exited: pod.status?.phase !== 'Running' };
}

const created = (pod: V1Pod): number => new Date(pod.metadata?.creationTimestamp ?? 0).getTime() || 0;
