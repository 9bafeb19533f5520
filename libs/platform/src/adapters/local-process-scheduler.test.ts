import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import {
  CONTRACT_WORKER_MODULE,
  jobSchedulerContract,
  TS_WORKER_EXEC_ARGV,
} from '../testing/job-scheduler-contract.js';
import { isCoinErrorWith } from '../testing/store-fixture.js';
import { LocalProcessScheduler } from './local-process-scheduler.js';

jobSchedulerContract('LocalProcessScheduler', async (workerModule) => ({
  scheduler: new LocalProcessScheduler({ workerModule, execArgv: TS_WORKER_EXEC_ARGV, cancelGraceMs: 2000 }),
  cleanup: async () => undefined,
}));

test('by default a worker gets the Node flags of this process (its TypeScript loader) and the env added', async () => {
  const scheduler = new LocalProcessScheduler({
    workerModule: CONTRACT_WORKER_MODULE,
    env: { CONTRACT_WORKER_ENV: 'on' },
  });
  const job = await scheduler.submit({ name: 'default-flags', unit: { action: 'succeed' } });
  const outcome = await job.done;
  assert.equal(outcome.status, 'succeeded', JSON.stringify(outcome));
  assert.equal(outcome.status === 'succeeded' && outcome.result.env, 'on');
  await scheduler.close();
});

test('jobs beyond the concurrency limit wait in submit order; a queued job cancels without a process', async () => {
  const scheduler = new LocalProcessScheduler({
    workerModule: CONTRACT_WORKER_MODULE,
    execArgv: TS_WORKER_EXEC_ARGV,
    concurrency: 1,
  });
  const order: string[] = [];
  const first = await scheduler.submit({ name: 'first', unit: { action: 'sleep', ms: 200 } });
  const second = await scheduler.submit({ name: 'second', unit: { action: 'succeed' } });
  const third = await scheduler.submit({ name: 'third', unit: { action: 'succeed' } });
  first.onProgress(() => order.push('first started'));
  second.onProgress(() => order.push('second progressed'));
  await third.cancel();
  assert.deepEqual(await third.done, { status: 'cancelled' });
  const [a, b] = await Promise.all([first.done, second.done]);
  assert.equal(a.status, 'succeeded');
  assert.equal(b.status, 'succeeded');
  assert.notEqual(a.status === 'succeeded' && a.result.pid, b.status === 'succeeded' && b.result.pid);
  assert.deepEqual(order, ['first started']);
  await scheduler.close();
});

test('a worker deaf to SIGINT is killed once the grace period is over', async () => {
  const scheduler = new LocalProcessScheduler({
    workerModule: CONTRACT_WORKER_MODULE,
    execArgv: TS_WORKER_EXEC_ARGV,
    cancelGraceMs: 300,
  });
  const job = await scheduler.submit({ name: 'deaf', unit: { action: 'sleep', ignoreSignal: true } });
  await new Promise<void>((resolve) => job.onProgress(() => resolve()));
  const started = Date.now();
  await job.cancel();
  assert.deepEqual(await job.done, { status: 'cancelled' });
  assert.ok(Date.now() - started >= 250, 'SIGKILL came only after the grace period');
  await scheduler.close();
});

test('bad options and bad specs are refused with what to fix', async () => {
  assert.throws(
    () => new LocalProcessScheduler({ workerModule: 'relative/worker.ts' }),
    isCoinErrorWith('SCHEDULER.BAD_WORKER', 'INVALID_ARGUMENT'),
  );
  assert.throws(
    () => new LocalProcessScheduler({ workerModule: '/no/such/worker.ts' }),
    isCoinErrorWith('SCHEDULER.WORKER_NOT_FOUND', 'NOT_FOUND', '/no/such/worker.ts'),
  );
  const scheduler = new LocalProcessScheduler({ workerModule: CONTRACT_WORKER_MODULE });
  await assert.rejects(
    scheduler.submit({ name: '', unit: {} }),
    isCoinErrorWith('SCHEDULER.BAD_JOB', 'INVALID_ARGUMENT'),
  );
  await assert.rejects(
    scheduler.submit({ name: 'x', unit: {}, deadlineSeconds: -1 }),
    isCoinErrorWith('SCHEDULER.BAD_JOB', 'INVALID_ARGUMENT', 'deadlineSeconds'),
  );
  await assert.rejects(
    scheduler.submit({ name: 'x', unit: {}, owner: { runId: 'r', unitKey: 'k', attempt: 0 } }),
    isCoinErrorWith('SCHEDULER.BAD_JOB', 'INVALID_ARGUMENT', 'owner'),
  );
  await scheduler.close();
  await assert.rejects(
    scheduler.submit({ name: 'y', unit: {} }),
    isCoinErrorWith('SCHEDULER.CLOSED', 'FAILED_PRECONDITION'),
  );
});
