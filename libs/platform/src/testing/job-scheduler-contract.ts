/**
 * The JobScheduler contract: every adapter (local processes, Kubernetes) runs these tests
 * unchanged through `jobSchedulerContract(name, make)`. `make` gets the path of the contract's
 * worker module (fixtures/contract-worker.ts, whose unit says what to do) and returns a scheduler
 * that runs it, with a short cancel grace period. The tests run concurrently: each starts workers.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import type { JobOutcome, JobScheduler } from '../ports/job-scheduler.js';

/** The worker module the contract's jobs run. */
export const CONTRACT_WORKER_MODULE = fileURLToPath(new URL('./fixtures/contract-worker.ts', import.meta.url));

/**
 * Node flags that run a TypeScript worker with ts-worker-loader.mjs: a quarter of the start-up
 * CPU of swc-node's register (which loads the TypeScript compiler in every process).
 */
export const TS_WORKER_EXEC_ARGV: readonly string[] = [
  '--import',
  fileURLToPath(new URL('./ts-worker-loader.mjs', import.meta.url)),
];

export interface SchedulerFixture {
  readonly scheduler: JobScheduler;
  cleanup(): Promise<void>;
}

export type MakeScheduler = (workerModule: string) => Promise<SchedulerFixture>;

async function withScheduler(make: MakeScheduler, body: (scheduler: JobScheduler) => Promise<void>): Promise<void> {
  const fixture = await make(CONTRACT_WORKER_MODULE);
  try {
    await body(fixture.scheduler);
  } finally {
    await fixture.scheduler.close();
    await fixture.cleanup();
  }
}

/** A job name no other test uses. */
const jobName = (what: string) => `contract-${what}-${randomBytes(3).toString('hex')}`;

function assertFailed(outcome: JobOutcome, code: string, retryable: boolean, mentions?: RegExp): void {
  assert.equal(outcome.status, 'failed', `expected a failure, got ${JSON.stringify(outcome)}`);
  if (outcome.status !== 'failed') return;
  assert.equal(outcome.code, code);
  assert.equal(outcome.retryable, retryable);
  if (mentions !== undefined) assert.match(outcome.message, mentions);
}

export function jobSchedulerContract(name: string, make: MakeScheduler): void {
  describe(`JobScheduler contract: ${name}`, { concurrency: true }, () => {
    test('a job runs its unit, reports progress in order, and succeeds with the result', () =>
      withScheduler(make, async (scheduler) => {
        const job = await scheduler.submit({
          name: jobName('ok'),
          unit: { action: 'succeed', progress: 3, echo: 'hi' },
        });
        const events: unknown[] = [];
        job.onProgress((e) => events.push(e));
        const outcome = await job.done;
        assert.equal(outcome.status, 'succeeded', JSON.stringify(outcome));
        if (outcome.status !== 'succeeded') return;
        assert.equal(outcome.result.echo, 'hi');
        assert.ok(typeof outcome.result.peak_rss_mb === 'number' && outcome.result.peak_rss_mb > 0);
        assert.deepEqual(events, [
          { step: 1, of: 3 },
          { step: 2, of: 3 },
          { step: 3, of: 3 },
        ]);
      }));

    test('the same name submitted again joins the first job instead of running a second', () =>
      withScheduler(make, async (scheduler) => {
        const spec = { name: jobName('twice'), unit: { action: 'sleep', ms: 300 } };
        const [first, second] = [await scheduler.submit(spec), await scheduler.submit(spec)];
        const [a, b] = await Promise.all([first.done, second.done]);
        assert.equal(a.status, 'succeeded');
        assert.deepEqual(a, b, 'both handles report the one run (same worker pid)');
        const third = await scheduler.submit(spec);
        assert.deepEqual(await third.done, a, 'a finished job is not run again either');
      }));

    test('a CoinError in the worker fails the job with its code; retryable by kind', () =>
      withScheduler(make, async (scheduler) => {
        const fail = (kind: string) => ({ action: 'fail', code: 'DATASET.NOT_READY', kind, message: `bad ${kind}` });
        const [permanent, transient, plain] = await Promise.all([
          scheduler.submit({ name: jobName('bad-input'), unit: fail('INVALID_ARGUMENT') }),
          scheduler.submit({ name: jobName('flaky'), unit: fail('UNAVAILABLE') }),
          scheduler.submit({ name: jobName('bug'), unit: { action: 'throw', message: 'a plain bug' } }),
        ]);
        assertFailed(await permanent.done, 'DATASET.NOT_READY', false, /bad INVALID_ARGUMENT/);
        assertFailed(await transient.done, 'DATASET.NOT_READY', true, /bad UNAVAILABLE/);
        assertFailed(await plain.done, 'JOB.WORKER_ERROR', true, /a plain bug/);
      }));

    test('a worker that exits without an answer is a retryable crash naming the exit code', () =>
      withScheduler(make, async (scheduler) => {
        const job = await scheduler.submit({ name: jobName('crash'), unit: { action: 'crash', exitCode: 3 } });
        assertFailed(await job.done, 'JOB.CRASHED', true, /code 3/);
      }));

    test('cancel stops a running job: cancelled', () =>
      withScheduler(make, async (scheduler) => {
        const job = await scheduler.submit({ name: jobName('cancel'), unit: { action: 'sleep' } });
        await new Promise<void>((resolve) => job.onProgress(() => resolve()));
        await job.cancel();
        assert.deepEqual(await job.done, { status: 'cancelled' });
      }));

    test('a job past its deadline is stopped and fails', () =>
      withScheduler(make, async (scheduler) => {
        const job = await scheduler.submit({ name: jobName('late'), unit: { action: 'sleep' }, deadlineSeconds: 1 });
        assertFailed(await job.done, 'JOB.DEADLINE_EXCEEDED', false, /deadline/);
      }));

    test('close cancels the jobs still running', () =>
      withScheduler(make, async (scheduler) => {
        const job = await scheduler.submit({ name: jobName('closing'), unit: { action: 'sleep' } });
        await new Promise<void>((resolve) => job.onProgress(() => resolve()));
        await scheduler.close();
        assert.deepEqual(await job.done, { status: 'cancelled' });
      }));
  });
}
