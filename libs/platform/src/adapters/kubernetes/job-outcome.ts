/**
 * How a Job ended, from its conditions and its pods' termination messages (termination.ts): a Job
 * without a `Complete` or `Failed` condition has not ended. Pure, so every case is tested without
 * a cluster.
 */
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { JobOutcome } from '../../ports/job-scheduler.js';
import { isRetryableKind } from '../worker-protocol.js';
import { ANNOTATION, WORKER_CONTAINER } from './job-manifest.js';
import { decodeTermination, EXIT_PERMANENT } from './termination.js';

const INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';

/** The condition (`Complete` or `Failed`) that ended the Job, if any. */
export function endCondition(job: V1Job): { type: 'Complete' | 'Failed'; reason: string; message: string } | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') {
      return { type: c.type, reason: c.reason ?? '', message: c.message ?? '' };
    }
  }
  return undefined;
}

/** The worker container's end in a pod, if it ended. */
function workerEnd(pod: V1Pod) {
  const status = pod.status?.containerStatuses?.find((s) => s.name === WORKER_CONTAINER);
  return status?.state?.terminated ?? status?.lastState?.terminated;
}

const disrupted = (pod: V1Pod) =>
  (pod.status?.conditions ?? []).some((c) => c.type === 'DisruptionTarget' && c.status === 'True');

const finishedAt = (pod: V1Pod) => {
  const at = workerEnd(pod)?.finishedAt;
  return at === undefined ? 0 : new Date(at).getTime();
};

/** How the Job ended, or undefined while it runs. `pods` are the Job's pods (label batch.kubernetes.io/job-name). */
export function jobOutcome(job: V1Job, pods: readonly V1Pod[]): JobOutcome | undefined {
  const end = endCondition(job);
  if (end === undefined) return undefined;
  const name = job.metadata?.annotations?.[ANNOTATION.jobName] ?? job.metadata?.name ?? '?';
  return end.type === 'Complete' ? succeeded(job, name, pods) : failed(job, name, end, pods);
}

function succeeded(job: V1Job, name: string, pods: readonly V1Pod[]): JobOutcome {
  const done = pods.filter((p) => workerEnd(p)?.exitCode === 0);
  const resultOf = (pod: V1Pod | undefined) => {
    const message = decodeTermination(pod === undefined ? undefined : workerEnd(pod)?.message);
    return message?.type === 'result' ? message.result : undefined;
  };
  if (job.spec?.completionMode !== 'Indexed') {
    const result = resultOf(done.sort((a, b) => finishedAt(b) - finishedAt(a))[0]);
    return result !== undefined ? { status: 'succeeded', result } : noResult(name, 'its pod');
  }
  const shards: Readonly<Record<string, unknown>>[] = [];
  for (let index = 0; index < (job.spec.completions ?? 1); index++) {
    const pod = done.find((p) => p.metadata?.annotations?.[INDEX_ANNOTATION] === String(index));
    const result = resultOf(pod);
    if (result === undefined) return noResult(name, `the pod of shard ${index}`);
    shards.push(result);
  }
  return { status: 'succeeded', result: { shards } };
}

const noResult = (name: string, whose: string): JobOutcome => ({
  status: 'failed',
  retryable: true,
  code: 'JOB.NO_RESULT',
  message: `job ${name} completed but ${whose} left no result (its pods may have been deleted)`,
});

function failed(
  job: V1Job,
  name: string,
  end: { reason: string; message: string },
  pods: readonly V1Pod[],
): JobOutcome {
  if (end.reason === 'DeadlineExceeded') {
    return {
      status: 'failed',
      retryable: false,
      code: 'JOB.DEADLINE_EXCEEDED',
      message: `job ${name} ran past its deadline of ${job.spec?.activeDeadlineSeconds} s and was stopped`,
    };
  }
  // The pod that failed the Job: not one that was evicted or preempted (the Job ignores those);
  // under a FailJob rule, the one that exited with the permanent code; else the last to end.
  const candidates = pods
    .filter((p) => !disrupted(p) && (workerEnd(p)?.exitCode ?? 0) !== 0)
    .sort((a, b) => finishedAt(b) - finishedAt(a));
  const permanentRule = end.reason === 'PodFailurePolicy';
  const pod = (permanentRule && candidates.find((p) => workerEnd(p)?.exitCode === EXIT_PERMANENT)) || candidates[0];
  const why = `${end.reason}${end.message === '' ? '' : `: ${end.message}`}`;
  if (pod === undefined) {
    return { status: 'failed', retryable: !permanentRule, code: 'JOB.FAILED', message: `job ${name} failed (${why})` };
  }
  const terminated = workerEnd(pod);
  const message = decodeTermination(terminated?.message);
  if (message?.type === 'error') {
    return {
      status: 'failed',
      retryable: !permanentRule && isRetryableKind(message.kind),
      code: message.code,
      message: message.message,
    };
  }
  const reason = terminated?.reason !== undefined && terminated.reason !== 'Error' ? ` (${terminated.reason})` : '';
  const tail = terminated?.message?.trim() ?? '';
  return {
    status: 'failed',
    retryable: !permanentRule,
    code: 'JOB.CRASHED',
    message:
      `the worker of job ${name} exited with code ${terminated?.exitCode}${reason} without a result; the Job failed (${why})` +
      (tail === '' ? '' : `; its log ended with:\n${tail}`),
  };
}
