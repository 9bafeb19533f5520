import { strict as assert } from 'node:assert';
import { after, afterEach, before, test } from 'node:test';
import { resolveConfig } from '../../config/config.js';
import type { JobHandle, JobOutcome, JobSpec } from '../../ports/job-scheduler.js';
import { isCoinErrorWith } from '../../testing/store-fixture.js';
import { FakeKubeApi } from './fake-api-server.js';
import { buildJobManifest, type KubernetesSettings } from './job-manifest.js';
import { KubernetesJobScheduler } from './kubernetes-scheduler.js';
import { encodeTermination, type TerminationMessage } from './termination.js';

const settings: KubernetesSettings = resolveConfig(
  { kubernetes: { namespace: 'ml', trainerImage: 'coin:test', instance: 'test' } },
  {},
).kubernetes;

let api: FakeKubeApi;
before(async () => {
  api = await FakeKubeApi.start();
});
after(() => api.stop());

const watchErrors: number[] = [];
/** Every scheduler a test made, closed after it even when it failed (a stray watch would skew the next test's counts). */
const made: KubernetesJobScheduler[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((s) => s.close()));
});
const scheduler = (progressPollMs = 10) => {
  const s = new KubernetesJobScheduler({
    settings,
    connection: { server: api.url, skipTLSVerify: true },
    timing: { resyncMs: 60_000, backoffMs: 20, maxBackoffMs: 80 },
    onWatchError: (_e, delay) => watchErrors.push(delay),
    progressPollMs,
  });
  made.push(s);
  return s;
};

let serial = 0;
const spec = (what: string, unit: Record<string, unknown> = { job: what }): JobSpec => ({
  name: `${what}-${++serial}`,
  unit,
});

const complete = { conditions: [{ type: 'Complete', status: 'True' }], succeeded: 1 };
const failed = (reason: string) => ({
  conditions: [{ type: 'Failed', status: 'True', reason, message: `because ${reason}` }],
});

function terminated(
  exitCode: number,
  message: TerminationMessage | string | undefined,
  extra: Record<string, unknown> = {},
) {
  return {
    phase: exitCode === 0 ? 'Succeeded' : 'Failed',
    ...extra,
    containerStatuses: [
      {
        name: 'worker',
        image: 'coin:test',
        imageID: '',
        ready: false,
        restartCount: 0,
        state: {
          terminated: {
            exitCode,
            reason: exitCode === 0 ? 'Completed' : 'Error',
            message: typeof message === 'object' ? encodeTermination(message) : message,
            finishedAt: new Date().toISOString(),
          },
        },
      },
    ],
  };
}

/** The pod succeeded with `result` and the Job completed. */
function succeed(name: string, result: Record<string, unknown>): void {
  api.putPod(name, `${name}-pod`, terminated(0, { v: 1, type: 'result', result }));
  api.setJobStatus(name, complete);
}

const settledWithin = (handle: JobHandle, ms: number) =>
  Promise.race([handle.done, new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms))]);

async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('submit creates one Job (the manifest, unchanged by the client) and settles with the pod result', async () => {
  const s = scheduler();
  const before = { ...api.stats, bodies: api.stats.bodies.length };
  const job = spec('create');
  const handle = await s.submit(job);
  assert.equal(api.stats.created, before.created + 1);
  assert.deepEqual(api.stats.bodies.at(-1), JSON.parse(JSON.stringify(buildJobManifest(job, settings).manifest)));
  assert.equal(await settledWithin(handle, 50), 'pending');
  succeed(handle.name, { loss: 0.25 });
  assert.deepEqual(await handle.done, { status: 'succeeded', result: { loss: 0.25 } });
  assert.equal(await s.submit(job), handle, 'the same name again: the same handle, no second POST');
  assert.equal(api.stats.posts, before.posts + 1);
  await s.close();
});

test('409 on create joins the existing Job; one for another unit is refused', async () => {
  const job = spec('join');
  api.seedJob(buildJobManifest(job, settings).manifest as never);
  const s = scheduler();
  const created = api.stats.created;
  const handle = await s.submit(job);
  assert.equal(api.stats.created, created, 'no second Job');
  succeed(handle.name, { joined: true });
  assert.deepEqual(await handle.done, { status: 'succeeded', result: { joined: true } });
  await assert.rejects(
    s.submit({ ...job, unit: { job: 'another unit' } }),
    isCoinErrorWith('SCHEDULER.JOB_NAME_CONFLICT', 'FAILED_PRECONDITION'),
  );
  await s.close();
});

test("two runs that share a unit share its Job: the owner's unit key decides, not the unit JSON", async () => {
  const owner = { runId: 'run-a', unitKey: 'f'.repeat(64), attempt: 1 };
  const first = { ...spec('shared', { job: 'stage 1', spec: 'run a' }), owner };
  const second = { ...first, unit: { job: 'stage 1', spec: 'run b' }, owner: { ...owner, runId: 'run-b' } };
  // Another scheduler (a second trainer replica) created it; this one finds it by the 409.
  api.seedJob(buildJobManifest(first, settings).manifest as never);
  const s = scheduler();
  const created = api.stats.created;
  const handle = await s.submit(second);
  assert.equal(api.stats.created, created, 'joined, no second Job');
  assert.equal(await s.submit(first), handle, "and the first run's submit joins the same handle");
  await assert.rejects(
    s.submit({ ...second, owner: { ...owner, unitKey: 'e'.repeat(64) } }),
    isCoinErrorWith('SCHEDULER.JOB_NAME_CONFLICT', 'FAILED_PRECONDITION'),
  );
  succeed(handle.name, { stage: 1 });
  assert.deepEqual(await handle.done, { status: 'succeeded', result: { stage: 1 } });
  await s.close();
});

test("progress comes from the pod's log: its JSON progress lines in order, each once, a retried pod's from its start", async () => {
  const s = scheduler();
  const handle = await s.submit(spec('progress'));
  const seen: unknown[] = [];
  handle.onProgress((e) => seen.push(e));
  const first = `${handle.name}-a`;
  api.putPod(handle.name, first, { phase: 'Running' });
  api.appendPodLog(first, 'worker starting\n{"progress":{"step":1}}\n{"progress":{"st');
  api.appendPodLog(first, 'ep":2}}\n{"progress": not json\n');
  await until(() => seen.length === 2, 'the first two events');
  api.appendPodLog(first, '{"progress":{"step":3}}\n');
  await until(() => seen.length === 3, 'the event written later');
  // The pod is retried: its successor's log is read from its start.
  api.putPod(handle.name, first, { phase: 'Failed' });
  const second = `${handle.name}-b`;
  api.putPod(handle.name, second, { phase: 'Running' });
  api.appendPodLog(second, '{"progress":{"step":1,"pod":"b"}}\n');
  await until(() => seen.length === 4, "the new pod's event");
  assert.deepEqual(seen, [{ step: 1 }, { step: 2 }, { step: 3 }, { step: 1, pod: 'b' }]);
  const late: unknown[] = [];
  handle.onProgress((e) => late.push(e));
  assert.deepEqual(late, seen, 'a late listener gets the earlier events first');
  succeed(handle.name, { ok: true });
  await handle.done;
  api.appendPodLog(second, '{"progress":{"step":9}}\n');
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(seen.length, 4, 'nothing after the job ended');
  await s.close();
});

test('the progress a pod wrote before its Job ended all comes before the end, though the next read was far off', async () => {
  const s = scheduler(60_000);
  const handle = await s.submit(spec('last-progress'));
  const seen: unknown[] = [];
  api.putPod(handle.name, `${handle.name}-pod`, { phase: 'Running' });
  const reads = api.stats.logReads;
  handle.onProgress((e) => seen.push(e));
  await until(() => api.stats.logReads > reads, 'the first read (an empty log)');
  api.appendPodLog(`${handle.name}-pod`, '{"progress":{"step":1}}\n{"progress":{"step":2}}\n');
  succeed(handle.name, { ok: true });
  assert.deepEqual(await handle.done, { status: 'succeeded', result: { ok: true } });
  assert.deepEqual(seen, [{ step: 1 }, { step: 2 }]);
  await s.close();
});

test('a restarted orchestrator re-attaches: a new scheduler finds the running Job, creates none, gets its end', async () => {
  const first = scheduler();
  const job = spec('restart');
  const running = await first.submit(job);
  await first.close();
  const created = api.stats.created;
  const second = scheduler();
  const rejoined = await second.submit(job);
  assert.equal(rejoined.name, running.name);
  succeed(rejoined.name, { stage: 3 });
  assert.deepEqual(await rejoined.done, { status: 'succeeded', result: { stage: 3 } });
  assert.equal(api.stats.created, created, 'one Job for the unit across both schedulers');
  // A Job that ended while no scheduler ran: its end is read at once.
  const third = scheduler();
  assert.deepEqual(await (await third.submit(job)).done, { status: 'succeeded', result: { stage: 3 } });
  await Promise.all([second.close(), third.close()]);
});

test('watch: 410 Gone on the open watch re-lists and goes on', async () => {
  const s = scheduler();
  const handle = await s.submit(spec('gone'));
  await until(() => api.openWatches > 0, 'the watch');
  const lists = api.stats.lists;
  api.expireWatches();
  await until(() => api.stats.lists > lists && api.openWatches > 0, 're-list and a new watch');
  succeed(handle.name, { after: 'gone' });
  assert.deepEqual(await handle.done, { status: 'succeeded', result: { after: 'gone' } });
  await s.close();
});

test('watch: a reconnect from a compacted version gets 410, re-lists and finds what it missed', async () => {
  const s = scheduler();
  const handle = await s.submit(spec('missed'));
  await until(() => api.openWatches > 0, 'the watch');
  const lists = api.stats.lists;
  api.dropWatches();
  succeed(handle.name, { missed: false });
  api.compact();
  assert.deepEqual(await handle.done, { status: 'succeeded', result: { missed: false } });
  assert.ok(api.stats.lists > lists, 'the end was found by a re-list');
  await s.close();
});

test('watch: a connection dropped mid-stream reconnects from the last version (no re-list)', async () => {
  const s = scheduler();
  const handle = await s.submit(spec('dropped'));
  await until(() => api.openWatches > 0, 'the watch');
  const [lists, watches] = [api.stats.lists, api.stats.watches];
  api.dropWatches();
  await until(() => api.stats.watches > watches && api.openWatches > 0, 'a new watch');
  succeed(handle.name, { reconnected: true });
  assert.deepEqual(await handle.done, { status: 'succeeded', result: { reconnected: true } });
  assert.equal(api.stats.lists, lists);
  await s.close();
});

test('watch: failing watches are retried with a doubling, jittered, capped backoff', async () => {
  const s = scheduler();
  const handle = await s.submit(spec('flaky'));
  await until(() => api.openWatches > 0, 'the watch');
  watchErrors.length = 0;
  api.failWatches(4);
  api.dropWatches();
  succeed(handle.name, { flaky: 'ok' });
  assert.deepEqual(await handle.done, { status: 'succeeded', result: { flaky: 'ok' } });
  // The drop itself may count as one failure; the four 500s follow.
  const delays = watchErrors.slice(-4);
  assert.equal(delays.length, 4, `watch errors: ${watchErrors}`);
  const ceilings = watchErrors.length === 5 ? [40, 80, 80, 80] : [20, 40, 80, 80];
  delays.forEach((d, i) => assert.ok(d >= ceilings[i] / 2 && d <= ceilings[i], `delay ${i} = ${d}`));
  await s.close();
});

test('failures: exit 2 under PodFailurePolicy is not retryable; an evicted pod is ignored until the Job ends; deadline', async () => {
  const s = scheduler();
  const [bad, evicted, late] = await Promise.all([
    s.submit(spec('bad')),
    s.submit(spec('evicted')),
    s.submit(spec('late')),
  ]);
  api.putPod(
    bad.name,
    `${bad.name}-0`,
    terminated(2, { v: 1, type: 'error', code: 'DATA.BAD', kind: 'INVALID_ARGUMENT', message: 'no such task' }),
  );
  api.setJobStatus(bad.name, failed('PodFailurePolicy'));
  assert.deepEqual(await bad.done, { status: 'failed', retryable: false, code: 'DATA.BAD', message: 'no such task' });

  api.putPod(
    evicted.name,
    `${evicted.name}-0`,
    terminated(143, undefined, {
      conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI' }],
    }),
  );
  api.setJobStatus(evicted.name, { active: 1, failed: 0 });
  assert.equal(await settledWithin(evicted, 100), 'pending', 'an evicted pod does not end the job');
  succeed(evicted.name, { second: 'pod' });
  assert.deepEqual(await evicted.done, { status: 'succeeded', result: { second: 'pod' } });

  api.setJobStatus(late.name, failed('DeadlineExceeded'));
  const outcome = (await late.done) as Extract<JobOutcome, { status: 'failed' }>;
  assert.deepEqual([outcome.code, outcome.retryable], ['JOB.DEADLINE_EXCEEDED', false]);
  await s.close();
});

test('cancel deletes the Job (propagationPolicy Background): cancelled; a Job deleted by someone else is lost', async () => {
  const s = scheduler();
  const handle = await s.submit(spec('cancel'));
  await handle.cancel();
  assert.deepEqual(await handle.done, { status: 'cancelled' });
  assert.deepEqual(api.stats.deletes.at(-1), { name: handle.name, propagationPolicy: 'Background' });
  assert.equal(api.job(handle.name), undefined);

  const other = await s.submit(spec('lost'));
  await until(() => api.openWatches > 0, 'the watch');
  const killer = scheduler();
  const sameJob = await killer.submit({ name: other.name, unit: { job: 'lost' } });
  await killer.close();
  await sameJob.cancel(); // a closed scheduler can still cancel: its DELETE ends the handle
  assert.deepEqual(await sameJob.done, { status: 'cancelled' });
  const lost = (await other.done) as Extract<JobOutcome, { status: 'failed' }>;
  assert.deepEqual([lost.code, lost.retryable], ['JOB.LOST', true]);
  await s.close();
});

test('an Indexed job: one Job, the shard results in index order', async () => {
  const s = scheduler();
  const handle = await s.submitIndexed(spec('shards'), { count: 2 });
  const result = (index: number) => terminated(0, { v: 1, type: 'result', result: { index } });
  api.putPod(handle.name, `${handle.name}-1`, result(1), { 'batch.kubernetes.io/job-completion-index': '1' });
  api.putPod(handle.name, `${handle.name}-0`, result(0), { 'batch.kubernetes.io/job-completion-index': '0' });
  api.setJobStatus(handle.name, complete);
  assert.deepEqual(await handle.done, { status: 'succeeded', result: { shards: [{ index: 0 }, { index: 1 }] } });
  assert.equal(
    api.job(handle.name)?.spec && (api.job(handle.name)?.spec as { completionMode: string }).completionMode,
    'Indexed',
  );
  await s.close();
});

test('an API server that cannot be reached: submit fails with SCHEDULER.KUBERNETES_API, UNAVAILABLE', async () => {
  const s = new KubernetesJobScheduler({
    settings,
    connection: { server: 'http://127.0.0.1:1', skipTLSVerify: true },
    timing: { backoffMs: 10_000 },
  });
  await assert.rejects(s.submit(spec('unreachable')), isCoinErrorWith('SCHEDULER.KUBERNETES_API', 'UNAVAILABLE'));
  await s.close();
});
