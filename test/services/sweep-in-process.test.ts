// A sweep through the orchestrator's BenchmarkService with the five services on one in-process bus:
// CreateSweep of 2 seeds (a micro run on two tasks each), followed with GetSweep to SUCCEEDED; its
// runs are the runs CreateRun of each spec would make, and their results are in the store.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateSweepRequest,
  type CreateSweepResponse,
  type GetSweepResponse,
  type ListRunsRequest,
  type ListRunsResponse,
  State,
} from '@coin/contracts';
import { runId, runSpecToProto } from '@coin/pipeline';
import { InProcessEventBus } from '@coin/platform';
import { type FiveServices, microSpec, startFiveServices, unary } from './five-services.js';

describe('a sweep on the five services', () => {
  let dir: string;
  let bus: InProcessEventBus;
  let stack: FiveServices;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coin-sweep-services-'));
    bus = new InProcessEventBus();
    stack = await startFiveServices({ storeDir: dir, bus, env: { COIN_THREADS: '1' } });
  });
  after(async () => {
    await stack?.stop();
    await bus?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('CreateSweep of 2 seeds runs both to SUCCEEDED; GetSweep follows it', async (t) => {
    const { bench } = stack;
    const started = performance.now();
    const created = await unary<CreateSweepRequest, CreateSweepResponse>(
      bench.createSweep.bind(bench),
      CreateSweepRequest.fromPartial({ grid: { seeds: [0, 1] }, base: runSpecToProto(microSpec(0)) }),
    );
    const name = created.sweep!.name;
    assert.deepEqual(created.sweep!.runs, [`runs/${runId(microSpec(0))}`, `runs/${runId(microSpec(1))}`]);
    const states: State[] = [];
    let sweep = created.sweep!;
    const deadline = Date.now() + 120_000;
    while (![State.STATE_SUCCEEDED, State.STATE_FAILED, State.STATE_CANCELLED].includes(sweep.state)) {
      assert.ok(Date.now() < deadline, `still ${State[sweep.state]}: ${sweep.progress?.message}`);
      await new Promise((r) => setTimeout(r, 250));
      sweep = (await unary<{ name: string }, GetSweepResponse>(bench.getSweep.bind(bench), { name })).sweep!;
      states.push(sweep.state);
    }
    t.diagnostic(`sweep of 2 micro runs over the services: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(sweep.state, State.STATE_SUCCEEDED, sweep.progress?.message);
    assert.ok(states.includes(State.STATE_RUNNING));
    assert.deepEqual(sweep.runStates, { SUCCEEDED: 2 });
    assert.equal(sweep.progress?.fraction, 1);
    assert.equal(sweep.progress?.completedUnits, 2 * (2 + 3 + 3));
    const runs = await unary<ListRunsRequest, ListRunsResponse>(bench.listRuns.bind(bench), {
      pageSize: 0,
      pageToken: '',
      state: State.STATE_SUCCEEDED,
      sweep: name,
    });
    assert.deepEqual(runs.runs.map((r) => r.name).sort(), [...sweep.runs].sort());
    for (const r of runs.runs) assert.ok(r.metrics && Number.isFinite(r.metrics.finalAverageAccuracy), r.name);
  });
});
