import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ContinualRunOptions, runContinual, type StageRecord } from '../loop/run.js';
import { loadStageCheckpoint, readStageMeta } from '../loop/stage-checkpoint.js';
import { trainingDefaults } from '../loop/training-defaults.js';
import { type MicroWorld, microWorld } from '../testing/micro-world.js';
import { METHODS } from './registry.js';

// replay, ewc, lwf and olora through the real stage loop on a micro CoIN-Synth world (2 tasks).
const TASKS = ['ImageNet', 'VQAv2'];

describe('continual methods through runContinual (micro, 2 tasks)', () => {
  let world: MicroWorld;
  before(async () => {
    world = await microWorld(TASKS);
  });
  after(() => world.cleanup());

  const run = (
    method: string,
    out: string,
    flags: Record<string, string> = {},
    extra: Partial<ContinualRunOptions> = {},
  ) => {
    const o: ContinualRunOptions = {
      method: METHODS.get(method),
      hyper: METHODS.resolve(method, 'micro', flags),
      training: { ...trainingDefaults('micro'), epochs: 3 },
      preset: 'micro',
      fidelity: 'strict',
      seed: 1,
      tasks: TASKS,
      dataDir: world.data,
      base: world.base,
      out: join(world.dir, out),
      session: { threads: 1 },
      ...extra,
    };
    return runContinual(o);
  };

  const learnsAndLoads = async (method: string, records: readonly StageRecord[]) => {
    assert.deepEqual(
      records.map((r) => r.plan.name),
      TASKS,
    );
    for (const r of records) {
      assert.ok(r.losses.at(-1)! < r.losses[0] - 0.05, `${method} ${r.plan.name}: ${r.losses.join(', ')}`);
      const meta = await readStageMeta(r.dir);
      assert.ok(meta, `${r.dir} is complete`);
      assert.equal(meta.method, method);
      assert.ok((await loadStageCheckpoint(r.dir, meta)).weights.size > 0);
    }
  };

  it('replay: stage 2 sees all of VQAv2 and exactly N samples of ImageNet', async () => {
    const records = await run('replay', 'replay', { 'replay-per-task': '5' });
    await learnsAndLoads('replay', records);
    assert.deepEqual(records[0].samplesPerTask, { ImageNet: 12 });
    assert.deepEqual(records[1].samplesPerTask, { VQAv2: 12, ImageNet: 5 });
  });

  // A penalty enters the loss from stage 2: the same run with its weight at 0 has the same stage 1
  // (bit for bit) and a different stage 2.
  for (const [method, flag] of [
    ['ewc', 'ewc-lambda'],
    ['lwf', 'lwf-alpha'],
    ['olora', 'olora-lambda'],
  ] as const) {
    it(`${method}: learns each stage, the chain loads, and --${flag} changes stage 2 only`, async () => {
      const withTerm = await run(method, method);
      await learnsAndLoads(method, withTerm);
      const without = await run(method, `${method}-0`, { [flag]: '0' });
      assert.deepEqual(withTerm[0].losses, without[0].losses, 'stage 1 has no term');
      assert.notDeepEqual(withTerm[1].losses, without[1].losses, 'stage 2 pays the term');
    });
  }

  // The state a method carries (Fisher and anchor, teacher weights, earlier adapters) is stored with
  // stage 1 and decoded on resume: a run killed in stage 2 and resumed ends bit-identical.
  for (const method of ['ewc', 'lwf', 'olora']) {
    it(`${method}: killed in stage 2 and resumed, every stage ends bit-identical`, async () => {
      const whole = await run(method, `${method}-whole`, {}, { checkpointEvery: 2 });
      const kill: Partial<ContinualRunOptions> = {
        checkpointEvery: 2,
        onStep: (row) => {
          if (row.stage === 'VQAv2' && row.step === 5) throw new Error('killed');
        },
      };
      await assert.rejects(run(method, `${method}-killed`, {}, kill), /killed/);
      const resumed = await run(method, `${method}-killed`, {}, { checkpointEvery: 2, resume: true });
      assert.ok(resumed[0].loaded && !resumed[1].loaded);
      for (let k = 0; k < 2; k++) {
        const load = async (dir: string) => (await loadStageCheckpoint(dir, (await readStageMeta(dir))!)).weights;
        const [a, b] = [await load(whole[k].dir), await load(resumed[k].dir)];
        assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
        for (const [name, t] of a)
          assert.ok(
            Buffer.from((t.data as Float32Array).buffer).equals(
              Buffer.from((b.get(name)!.data as Float32Array).buffer),
            ),
            `${method} stage ${k + 1}: ${name}`,
          );
      }
    });
  }
});
