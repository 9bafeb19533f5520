// A micro run over the event bus (InProcessEventBus + FilesystemObjectStore): RunController plus the
// four workers give the matrices of an embedded executeRun; replaying every request topic computes
// nothing; a controller restarted mid-run finishes the run with no unit computed twice; a request for
// a key outside its spec fails alone.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  decodeEvent,
  encodeEvent,
  PREP_COMPLETED_TOPIC,
  STAGE_REQUESTED_TOPIC,
  UNIT_FAILED_TOPIC,
  type UnitFailedEvent,
} from '@coin/contracts';
import { FilesystemObjectStore, InProcessEventBus, readUnitJson } from '@coin/platform';
import type { RunResults } from '../results/results.js';
import { executeRun, planFor } from '../run/execute-run.js';
import { inProcessRunner } from '../run/runners.js';
import { METHOD_CATALOGUE } from '../spec/method-catalogue.js';
import { resolveRunSpec, runId, type RunSpec } from '../spec/run-spec.js';
import type { UnitEnv } from '../units/unit-env.js';
import { RunController } from './run-controller.js';
import type { RunRecord } from './run-state.js';
import { type ServedUnit, serveUnits, type UnitServer } from './serve-units.js';
import { runSpecToProto } from './spec-wire.js';
import { BUS_UNIT_KINDS, eventMeta, REQUEST_TOPIC, requestEvent } from './unit-events.js';

const micro = (seed: number): RunSpec =>
  resolveRunSpec(
    {
      preset: 'micro',
      order: 'ImageNet,VQAv2',
      seed,
      world: { train: 24, test: 8, pretrain: 16 },
      pretrainSteps: 40,
    },
    METHOD_CATALOGUE,
  );

const SERVICES = [
  { group: 'data-prep', kinds: ['prep'] },
  { group: 'trainer', kinds: ['pretrain', 'stage'] },
  { group: 'evaluator', kinds: ['eval'] },
  { group: 'judge', kinds: ['judge'] },
] as const;

async function finish(controller: RunController, id: string): Promise<RunRecord> {
  let last: RunRecord | undefined;
  for await (const r of controller.updates(id)) last = r;
  return last!;
}

describe('a run over the event bus', () => {
  let dir: string;
  let env: Omit<UnitEnv, 'progress' | 'signal'>;
  let bus: InProcessEventBus;
  let servers: UnitServer[];
  const served: ServedUnit[] = [];
  const computed = (runIdFilter?: string) =>
    served.filter((s) => s.outcome === 'computed' && (runIdFilter === undefined || s.runId === runIdFilter));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coin-bus-run-'));
    const store = new FilesystemObjectStore(join(dir, 'store'));
    env = { store, cacheDir: join(dir, 'cache'), session: { threads: 1 } };
    bus = new InProcessEventBus();
    servers = await Promise.all(
      SERVICES.map((s) => serveUnits(bus, env, { ...s, retryBackoffMs: 10, onUnit: (u) => served.push(u) })),
    );
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await bus.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the matrices of an embedded run of the same spec, each unit computed once', async (t) => {
    const spec = micro(0);
    const embeddedStore = new FilesystemObjectStore(join(dir, 'embedded'));
    const embeddedEnv = { store: embeddedStore, cacheDir: join(dir, 'embedded-cache'), session: { threads: 1 } };
    const embedded = await executeRun(spec, {
      store: embeddedStore,
      runner: inProcessRunner(embeddedEnv),
      env: embeddedEnv,
    });

    const controller = await RunController.open({ bus, env });
    try {
      const submitted = await controller.submit(spec);
      assert.equal(submitted.runId, runId(spec));
      const final = await finish(controller, submitted.runId);
      assert.equal(final.state, 'SUCCEEDED', JSON.stringify(final.error));
      assert.deepEqual(
        [final.progress.stagesDone, final.progress.evalCellsDone, final.progress.judgeCellsDone],
        [2, 3, 3],
      );
      const results = await readUnitJson<RunResults>(env.store, final.results!);
      assert.deepEqual(results.accuracy, embedded.accuracy);
      assert.deepEqual(results.judge.matrix, embedded.judge.matrix);
      assert.equal(results.judge.label, embedded.judge.label);
      assert.equal((await controller.get(submitted.runId))?.state, 'SUCCEEDED');
      assert.deepEqual(
        (await controller.list()).map((r) => r.runId),
        [submitted.runId],
      );
    } finally {
      await controller.close();
    }
    const keys = computed().map((s) => s.key);
    assert.equal(keys.length, 1 + 1 + 2 + 3 + 3, 'world, base, 2 stages, 3 eval and 3 judge cells');
    assert.equal(new Set(keys).size, keys.length, 'no unit computed twice');
    const evals = computed().filter((s) => s.kind === 'eval');
    const loads = evals.map((s) => s.modelLoad_s ?? 0);
    assert.equal(loads.filter((l) => l > 0).length, 2, 'the model is loaded once per stage, not per cell');
    t.diagnostic(
      `eval cells: ${evals.map((s) => `${s.label} ${s.wall_s.toFixed(2)} s (model load ${(s.modelLoad_s ?? 0).toFixed(2)} s)`).join('; ')}`,
    );
  });

  it('replaying every request topic from the start computes nothing', async () => {
    const before = computed().length;
    const replayed: ServedUnit[] = [];
    const replaying = await Promise.all(
      SERVICES.map((s) =>
        serveUnits(bus, env, {
          ...s,
          group: `${s.group}.replay`,
          fromBeginning: true,
          onUnit: (u) => replayed.push(u),
        }),
      ),
    );
    try {
      const deadline = Date.now() + 60_000;
      while (replayed.length < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await Promise.all(replaying.map((s) => s.close()));
    }
    assert.ok(replayed.length >= 10, `${replayed.length} requests replayed`);
    assert.deepEqual(
      replayed.filter((u) => u.outcome !== 'found'),
      [],
    );
    assert.equal(computed().length, before);
  });

  it('a controller restarted mid-run completes it with no unit computed twice', async () => {
    const spec = micro(1);
    const id = runId(spec);
    const first = await RunController.open({ bus, env });
    await first.submit(spec);
    for await (const r of first.updates(id)) if (r.progress.stagesDone >= 1) break;
    await first.close();
    assert.equal((await first.get(id))?.state, 'RUNNING', 'left for the next orchestrator');

    const second = await RunController.open({ bus, env });
    try {
      const final = await finish(second, id);
      assert.equal(final.state, 'SUCCEEDED', JSON.stringify(final.error));
    } finally {
      await second.close();
    }
    const keys = computed(id).map((s) => s.key);
    // The world and the base are seed 0's; seed 1 has its own stages and cells.
    assert.equal(keys.length, 2 + 3 + 3);
    assert.equal(new Set(keys).size, keys.length, 'no unit computed twice');
  });

  it('a request for a key outside its spec fails alone; the other requests of the run proceed', async () => {
    const spec = micro(0);
    const id = runId(spec);
    const plan = await planFor(spec);
    const failures: UnitFailedEvent[] = [];
    const completions: string[] = [];
    const watch = await bus.subscribe(
      [UNIT_FAILED_TOPIC, PREP_COMPLETED_TOPIC],
      async (m) => {
        if (m.topic === UNIT_FAILED_TOPIC) failures.push(decodeEvent(UNIT_FAILED_TOPIC, m.value));
        else completions.push(decodeEvent(PREP_COMPLETED_TOPIC, m.value).unit?.key ?? '');
      },
      { group: 'test.watch' },
    );
    try {
      const proto = runSpecToProto(spec);
      const bogus = { ...plan.stages[0], key: 'f'.repeat(64) };
      const bad = requestEvent(bogus, id, proto, plan.world, 'test');
      assert.equal(bad.topic, STAGE_REQUESTED_TOPIC);
      await bus.publish(bad.topic, id, encodeEvent(STAGE_REQUESTED_TOPIC, bad.payload as never));
      const good = requestEvent(plan.world, id, proto, plan.world, 'test');
      await bus.publish(good.topic, id, encodeEvent(REQUEST_TOPIC.prep, good.payload as never));
      const deadline = Date.now() + 30_000;
      while ((failures.length < 1 || completions.length < 1) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
    } finally {
      await watch.close();
    }
    assert.equal(failures.length, 1);
    assert.equal(failures[0].unitKey, 'f'.repeat(64));
    assert.equal(failures[0].error?.code, 'RUN.UNKNOWN_UNIT');
    assert.equal(failures[0].error?.retryable, false);
    assert.equal(failures[0].sourceTopic, STAGE_REQUESTED_TOPIC);
    assert.equal(failures[0].meta?.run, eventMeta(id, 'x').run);
    assert.deepEqual(completions, [plan.world.key]);
    assert.deepEqual(BUS_UNIT_KINDS.length, 5);
  });
});
