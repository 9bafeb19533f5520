// The five services in one process on a shared InProcessEventBus and a folder store: a micro run
// submitted with CreateRun and followed with WatchRun ends SUCCEEDED with the matrices of the same
// spec run embedded; WatchRun names every stage and cell as it finishes; the getters of the worker
// services read the run's units back.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { credentials } from '@grpc/grpc-js';
import {
  type GetOperationResponse,
  type GetStageResponse,
  OperationsServiceClient,
  State,
  TrainerServiceClient,
} from '@coin/contracts';
import type { RunResults } from '@coin/pipeline';
import { InProcessEventBus, readUnitJson } from '@coin/platform';
import {
  embeddedRun,
  type FiveServices,
  microSpec,
  startFiveServices,
  submitAndWatch,
  unary,
} from './five-services.js';

describe('the five services on one in-process bus', () => {
  let dir: string;
  let bus: InProcessEventBus;
  let stack: FiveServices;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coin-services-'));
    bus = new InProcessEventBus();
    stack = await startFiveServices({ storeDir: dir, bus, env: { COIN_THREADS: '1' } });
  });
  after(async () => {
    await stack?.stop();
    await bus?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a micro run through CreateRun and WatchRun equals the embedded run of the same spec', async (t) => {
    const spec = microSpec(0);
    const started = performance.now();
    const { created, messages, final } = await submitAndWatch(stack.bench, spec);
    const wall = (performance.now() - started) / 1000;
    const embeddedStarted = performance.now();
    const embedded = await embeddedRun(spec);
    t.diagnostic(
      `services ${wall.toFixed(1)} s, embedded ${((performance.now() - embeddedStarted) / 1000).toFixed(1)} s`,
    );

    const last = messages.at(-1)!;
    assert.equal(last.run?.state, State.STATE_SUCCEEDED, last.progress?.message);
    assert.equal(last.progress?.completedUnits, 2 + 3 + 3);
    assert.equal(last.progress?.totalUnits, 2 + 3 + 3);
    assert.deepEqual(
      messages.filter((m) => m.stage).map((m) => [m.stage!.index, m.stage!.state]),
      [
        [1, State.STATE_SUCCEEDED],
        [2, State.STATE_SUCCEEDED],
      ],
    );
    assert.equal(messages.filter((m) => m.evalCell).length, 3);
    assert.equal(messages.filter((m) => m.judgeCell).length, 3);
    const done = messages.map((m) => m.progress!.completedUnits);
    assert.deepEqual(
      done,
      [...done].sort((a, b) => a - b),
      'progress only grows',
    );
    assert.ok(
      messages.some((m) => m.progress!.totalSteps > 0 && m.progress!.currentUnit !== ''),
      'steps of the unit in flight are streamed',
    );

    const run = final.run!;
    assert.equal(run.name, created.run!.name);
    assert.equal(run.state, State.STATE_SUCCEEDED);
    assert.equal(run.reportUri, `${run.name}/results.json`);
    const results = await readUnitJson<RunResults>(stack.orchestrator.service.store, run.reportUri);
    assert.deepEqual(results.accuracy, embedded.accuracy);
    assert.deepEqual(results.judge.matrix, embedded.judge.matrix);
    assert.deepEqual(
      run.evalCells.map((c) => [c.stageIndex, c.taskIndex, c.sampleCount]),
      [
        [1, 1, 8],
        [2, 1, 8],
        [2, 2, 8],
      ],
    );
    assert.ok(run.metrics && Number.isFinite(run.metrics.finalAverageAccuracy));

    const ops = new OperationsServiceClient(stack.orchestrator.address, credentials.createInsecure());
    const trainer = new TrainerServiceClient(stack.services.get('trainer')!.address, credentials.createInsecure());
    try {
      const { operation } = await unary<{ name: string }, GetOperationResponse>(ops.getOperation.bind(ops), {
        name: `operations/${run.name.slice(5)}`,
      });
      assert.equal(operation?.done, true);
      assert.equal(operation?.response?.run?.evalCells.length, 3);
      const { stage } = await unary<{ name: string }, GetStageResponse>(trainer.getStage.bind(trainer), {
        name: `${run.name}/stages/2`,
      });
      assert.equal(stage?.state, State.STATE_SUCCEEDED);
      assert.equal(stage?.task, 'VQAv2');
    } finally {
      ops.close();
      trainer.close();
    }
  });
});
