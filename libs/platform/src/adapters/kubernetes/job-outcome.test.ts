import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { jobOutcome } from './job-outcome.js';
import {
  decodeTermination,
  EXIT_PERMANENT,
  EXIT_RETRYABLE,
  encodeTermination,
  exitCodeOf,
  MAX_TERMINATION_BYTES,
  type TerminationMessage,
} from './termination.js';

const job = (
  condition?: { type: string; reason?: string; message?: string },
  extra: Partial<V1Job['spec']> = {},
): V1Job => ({
  metadata: { name: 'train-a1', annotations: { 'coin.io/job-name': 'train/a1' } },
  spec: { template: {}, activeDeadlineSeconds: 60, ...extra },
  status: condition === undefined ? {} : { conditions: [{ ...condition, status: 'True' }] },
});

let clock = 0;
/** A pod whose worker ended with `exitCode` and left `message`; `disrupted` adds a DisruptionTarget condition. */
function pod(
  exitCode: number,
  message?: TerminationMessage | string,
  options: { disrupted?: boolean; index?: number; reason?: string } = {},
): V1Pod {
  const text = message === undefined ? undefined : typeof message === 'string' ? message : encodeTermination(message);
  return {
    metadata: {
      name: `p${++clock}`,
      annotations:
        options.index === undefined ? {} : { 'batch.kubernetes.io/job-completion-index': String(options.index) },
    },
    status: {
      phase: exitCode === 0 ? 'Succeeded' : 'Failed',
      conditions: options.disrupted
        ? [{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler' }]
        : [],
      containerStatuses: [
        {
          name: 'worker',
          image: 'x',
          imageID: 'x',
          ready: false,
          restartCount: 0,
          state: {
            terminated: {
              exitCode,
              message: text,
              reason: options.reason ?? (exitCode === 0 ? 'Completed' : 'Error'),
              finishedAt: new Date(1_000 * clock),
            },
          },
        },
      ],
    },
  };
}

const result = (r: Record<string, unknown>): TerminationMessage => ({ v: 1, type: 'result', result: r });
const error = (code: string, kind: 'INVALID_ARGUMENT' | 'UNAVAILABLE', message: string): TerminationMessage => ({
  v: 1,
  type: 'error',
  code,
  kind,
  message,
});

test('a Job without Complete or Failed has not ended, whatever its pods did', () => {
  assert.equal(jobOutcome(job(), [pod(1, undefined, { disrupted: true })]), undefined);
  assert.equal(jobOutcome(job({ type: 'Suspended' }), []), undefined);
});

test('Complete: the result its pod left; none is a retryable JOB.NO_RESULT', () => {
  assert.deepEqual(jobOutcome(job({ type: 'Complete' }), [pod(1, 'boom'), pod(0, result({ loss: 0.5 }))]), {
    status: 'succeeded',
    result: { loss: 0.5 },
  });
  const none = jobOutcome(job({ type: 'Complete' }), []);
  assert.equal(none?.status === 'failed' && none.code, 'JOB.NO_RESULT');
  assert.equal(none?.status === 'failed' && none.retryable, true);
});

test('Complete, Indexed: the shards in index order; a missing shard is JOB.NO_RESULT', () => {
  const indexed = job({ type: 'Complete' }, { completionMode: 'Indexed', completions: 2 });
  const pods = [pod(0, result({ cell: 1 }), { index: 1 }), pod(0, result({ cell: 0 }), { index: 0 })];
  assert.deepEqual(jobOutcome(indexed, pods), { status: 'succeeded', result: { shards: [{ cell: 0 }, { cell: 1 }] } });
  const partial = jobOutcome(indexed, pods.slice(0, 1));
  assert.match(partial?.status === 'failed' ? partial.message : '', /shard 0/);
});

test('Failed by the FailJob rule (exit 2): the CoinError of that pod, not retryable', () => {
  const outcome = jobOutcome(job({ type: 'Failed', reason: 'PodFailurePolicy', message: 'exit code 2' }), [
    pod(EXIT_PERMANENT, error('DATASET.BAD', 'INVALID_ARGUMENT', 'column 3 is not a number')),
  ]);
  assert.deepEqual(outcome, {
    status: 'failed',
    retryable: false,
    code: 'DATASET.BAD',
    message: 'column 3 is not a number',
  });
});

test('Failed, backoff limit: the last real failure; an evicted pod (DisruptionTarget) is not the cause', () => {
  const outcome = jobOutcome(job({ type: 'Failed', reason: 'BackoffLimitExceeded' }), [
    pod(EXIT_RETRYABLE, error('STORE.UNAVAILABLE', 'UNAVAILABLE', 'S3 timed out')),
    pod(143, 'terminated by the node', { disrupted: true }),
  ]);
  assert.deepEqual(outcome, { status: 'failed', retryable: true, code: 'STORE.UNAVAILABLE', message: 'S3 timed out' });
});

test('Failed, a crash without a message: JOB.CRASHED, retryable, naming the exit code, reason and log tail', () => {
  const outcome = jobOutcome(job({ type: 'Failed', reason: 'BackoffLimitExceeded' }), [
    pod(137, 'loading model…', { reason: 'OOMKilled' }),
  ]);
  assert.equal(outcome?.status, 'failed');
  if (outcome?.status !== 'failed') return;
  assert.equal(outcome.code, 'JOB.CRASHED');
  assert.equal(outcome.retryable, true);
  assert.match(outcome.message, /train\/a1 exited with code 137 \(OOMKilled\)[^]*loading model/);
});

test('Failed, deadline: JOB.DEADLINE_EXCEEDED, not retryable', () => {
  const outcome = jobOutcome(job({ type: 'Failed', reason: 'DeadlineExceeded' }), [pod(143)]);
  assert.deepEqual(outcome, {
    status: 'failed',
    retryable: false,
    code: 'JOB.DEADLINE_EXCEEDED',
    message: 'job train/a1 ran past its deadline of 60 s and was stopped',
  });
});

test('termination messages: exit codes by kind; a large result becomes a permanent error; a long error is cut', () => {
  assert.equal(exitCodeOf(result({})), 0);
  assert.equal(exitCodeOf(error('A.B', 'UNAVAILABLE', '')), EXIT_RETRYABLE);
  assert.equal(exitCodeOf(error('A.B', 'INVALID_ARGUMENT', '')), EXIT_PERMANENT);
  const big = decodeTermination(encodeTermination(result({ blob: 'x'.repeat(5000) })));
  assert.equal(big?.type === 'error' && big.code, 'JOB.RESULT_TOO_LARGE');
  assert.equal(big && exitCodeOf(big), EXIT_PERMANENT);
  const text = encodeTermination(error('A.B', 'UNAVAILABLE', `${'é'.repeat(3000)}"\n`));
  assert.ok(Buffer.byteLength(text) <= MAX_TERMINATION_BYTES);
  const cut = decodeTermination(text);
  assert.match(cut?.type === 'error' ? cut.message : '', /é+ …\[cut\]$/);
  assert.equal(decodeTermination('Traceback: not json'), undefined);
  assert.equal(decodeTermination('{"v":2,"type":"result","result":{}}'), undefined);
});
