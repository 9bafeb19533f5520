// SweepController over a real RunController (InProcessEventBus + FilesystemObjectStore) with no
// worker subscribed: its runs stay RUNNING until cancelled, which is what the concurrency bound,
// cancel and restart need; runs on a base folder that does not exist fail at once, which is what the
// retry rule needs. A sweep that runs to SUCCEEDED is test/services/sweep-in-process.test.ts.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { CoinError } from '@coin/core';
import { FilesystemObjectStore, InProcessEventBus } from '@coin/platform';
import { RunController } from '../bus/run-controller.js';
import type { RunSpecInput } from '../spec/run-spec.js';
import type { UnitEnv } from '../units/unit-env.js';
import { expandSweep } from './expand-sweep.js';
import { parseGridFile } from './grid-file.js';
import { sweepBaseToProto } from './sweep-base.js';
import { SweepController } from './sweep-controller.js';
import { encodeBase, encodeGrid, readSweepState, SWEEP_STATE_FORMAT, writeSweepState } from './sweep-state.js';
import type { SweepView } from './sweep-view.js';

const BASE: RunSpecInput = {
  preset: 'micro',
  order: 'ImageNet,VQAv2',
  world: { train: 24, test: 8, pretrain: 16 },
  pretrainSteps: 40,
};
const base = sweepBaseToProto(BASE, ['lora']);
const SEEDS = parseGridFile('seeds: [0, 1, 2]');

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const states = (v: SweepView) => v.runs.map((r) => `${r.state}${r.submitted ? '' : '?'}`);

describe('SweepController', () => {
  let dir: string;
  let env: Omit<UnitEnv, 'progress' | 'signal'>;
  let bus: InProcessEventBus;
  let runs: RunController;
  let sweeps: SweepController;
  const open = async () => {
    runs = await RunController.open({ bus, env });
    sweeps = await SweepController.open({ runs, store: env.store, maxActiveRuns: 2 });
  };
  const close = async () => {
    await sweeps.close();
    await runs.close();
  };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coin-sweeps-'));
    env = {
      store: new FilesystemObjectStore(join(dir, 'store')),
      cacheDir: join(dir, 'cache'),
      session: { threads: 1 },
    };
    bus = new InProcessEventBus();
    await open();
  });
  afterEach(async () => {
    await close();
    await bus.close();
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('keeps at most maxActiveRuns runs in flight, creates idempotently, and submits the next when one ends', async () => {
    const created = await sweeps.create(SEEDS, base);
    assert.deepEqual(
      created.runs.map((r) => r.submitted),
      [true, true, false],
    );
    assert.equal(created.state, 'RUNNING');
    assert.equal((await runs.list()).length, 2, 'the third run is not submitted yet');
    const record = await readSweepState(env.store, created.record.sweepId);
    assert.deepEqual(record?.runs, created.record.runs);

    const again = await sweeps.create(parseGridFile('seeds:\n  - 0\n  - 1\n  - 2\n'), base);
    assert.equal(again.record.sweepId, created.record.sweepId);
    assert.equal(again.record.createdAt, created.record.createdAt);
    assert.equal(again.record.attempt.number, 1);
    assert.equal((await runs.list()).length, 2);

    await runs.cancel(created.runs[0].runId);
    const third = await until('the third run', async () => {
      const v = await sweeps.get(created.record.sweepId);
      return v?.runs[2].submitted ? v : undefined;
    });
    assert.deepEqual(states(third).slice(0, 1), ['CANCELLED']);
    assert.equal((await runs.list()).filter((r) => r.state === 'RUNNING' || r.state === 'PENDING').length, 2);
    assert.deepEqual(
      (await sweeps.list()).map((s) => s.record.sweepId),
      [created.record.sweepId],
    );
  });

  it('a restarted orchestrator goes on from the cursor: nothing lost, nothing started twice', async () => {
    // A crash mid-create: sweep.json written, run 0 submitted, the cursor not yet moved past it.
    const expanded = expandSweep(SEEDS, base);
    const now = new Date().toISOString();
    await writeSweepState(env.store, {
      format: SWEEP_STATE_FORMAT,
      sweepId: expanded.id,
      grid: encodeGrid(SEEDS),
      base: encodeBase(base),
      runs: expanded.runIds,
      createdAt: now,
      updatedAt: now,
      attempt: { number: 1, startedAt: now, submitted: 0 },
    });
    const first = await runs.submit(expanded.specs[0]);
    await close();
    await open();
    const view = (await sweeps.get(expanded.id))!;
    assert.deepEqual(
      view.runs.map((r) => r.submitted),
      [true, true, false],
      'completed on open, up to the bound',
    );
    assert.equal(view.state, 'RUNNING');
    const listed = await runs.list();
    assert.equal(listed.length, 2);
    assert.equal((await runs.get(first.runId))?.createdAt, first.createdAt, 'run 0 is the same run, resumed');
    // And once more: the cursor is in the store, so a second restart submits nothing new.
    await close();
    await open();
    assert.deepEqual(
      (await sweeps.get(expanded.id))!.runs.map((r) => r.submitted),
      [true, true, false],
    );
    assert.equal((await runs.list()).length, 2);

    const cancelled = await sweeps.cancel(expanded.id);
    assert.equal(cancelled.state, 'CANCELLED');
    assert.deepEqual(states(cancelled), ['CANCELLED', 'CANCELLED', 'CANCELLED?']);
    assert.equal((await runs.list()).length, 2, 'the run never submitted stays so');
    await close();
    await open();
    assert.equal((await sweeps.get(expanded.id))?.state, 'CANCELLED', 'a cancelled sweep stays cancelled');
    assert.equal((await runs.list()).length, 2);
  });

  it('submits a failing run once per attempt: the sweep ends FAILED, and CreateSweep again is the next attempt', async () => {
    const grid = parseGridFile(`base_models: [${join(dir, 'no-such-base-a')}, ${join(dir, 'no-such-base-b')}]`);
    const failed = async () =>
      until('FAILED', async () => {
        const v = (await sweeps.get(expandSweep(grid, base).id))!;
        return v.state === 'FAILED' ? v : undefined;
      });
    await sweeps.create(grid, base);
    const v1 = await failed();
    assert.deepEqual(states(v1), ['FAILED', 'FAILED']);
    const at = v1.runs.map((r) => r.record!.updatedAt);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(
      (await sweeps.get(v1.record.sweepId))!.runs.map((r) => r.record!.updatedAt),
      at,
      'nothing retried on its own',
    );
    const retried = await sweeps.create(grid, base);
    assert.equal(retried.record.attempt.number, 2);
    const v2 = await failed();
    assert.ok(
      v2.runs.every((r, k) => r.record!.updatedAt > at[k]),
      'each run submitted again, once',
    );
    assert.equal(v2.runs[0].record?.error?.code !== undefined, true);
  });

  it('validate_only writes nothing; a wrong sweep id and an unknown sweep are refused', async () => {
    const v = await sweeps.create(SEEDS, base, { validateOnly: true });
    assert.equal(v.state, 'PENDING');
    assert.equal(await sweeps.get(v.record.sweepId), undefined);
    assert.equal((await runs.list()).length, 0);
    await assert.rejects(sweeps.create(SEEDS, base, { sweepId: 'sweep-other' }), { code: 'SWEEP.ID_MISMATCH' });
    await assert.rejects(sweeps.cancel('sweep-none'), (e: unknown) => e instanceof CoinError && e.kind === 'NOT_FOUND');
  });
});
