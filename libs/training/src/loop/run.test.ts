import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import type { TensorData } from '@coin/onnx';
import { lora } from '../methods/lora.js';
import type { AnyMethod } from '../methods/method.js';
import { METHODS } from '../methods/registry.js';
import { type MicroWorld, microWorld } from '../testing/micro-world.js';
import { type ContinualRunOptions, runContinual, type StageRecord } from './run.js';
import { loadStageCheckpoint, readStageMeta } from './stage-checkpoint.js';
import { trainingDefaults } from './training-defaults.js';

const TASKS = ['ImageNet', 'VQAv2'];
const PROJECTOR = 'projector.0.weight';
const LORA_A = 'layers.1.mlp.down.lora_A';

const sameBits = (a: TensorData, b: TensorData): boolean =>
  Buffer.from((a.data as Float32Array).buffer).equals(Buffer.from((b.data as Float32Array).buffer));

describe('runContinual (micro, 2 tasks)', () => {
  let world: MicroWorld;
  before(async () => {
    world = await microWorld(TASKS);
  });
  after(() => world.cleanup());

  const options = (method: string, out: string, extra: Partial<ContinualRunOptions> = {}): ContinualRunOptions => ({
    method: METHODS.get(method),
    hyper: METHODS.resolve(method, 'micro', {}),
    training: { ...trainingDefaults('micro'), ...METHODS.get(method).training?.({}, 'micro'), epochs: 3, batchSize: 4 },
    preset: 'micro',
    fidelity: 'coin',
    seed: 1,
    tasks: TASKS,
    dataDir: world.data,
    base: world.base,
    out: join(world.dir, out),
    session: { threads: 1 },
    ...extra,
  });

  const lossFalls = (records: readonly StageRecord[]) => {
    for (const r of records) {
      assert.ok(r.steps > 2, `${r.plan.name} ran ${r.steps} steps`);
      assert.ok(r.losses.at(-1)! < r.losses[0] - 0.05, `${r.plan.name}: ${r.losses.join(', ')}`);
    }
  };

  /** Every stage folder is complete, records the run, and loads. */
  const chainLoads = async (records: readonly StageRecord[], method: string) => {
    for (const r of records) {
      const meta = await readStageMeta(r.dir);
      assert.ok(meta, `${r.dir} is complete`);
      assert.equal(meta.method, method);
      assert.equal(meta.base, world.base.key);
      assert.equal(meta.preset, 'micro');
      const loaded = await loadStageCheckpoint(r.dir, meta);
      assert.ok(loaded.weights.size > 0);
    }
  };

  for (const method of ['lora', 'moelora', 'full']) {
    it(`${method}: the loss falls in each stage and every stage checkpoint loads`, async () => {
      const records = await runContinual(options(method, method));
      assert.deepEqual(
        records.map((r) => r.plan.name),
        TASKS,
      );
      lossFalls(records);
      await chainLoads(records, method);
      const meta = (await readStageMeta(records[1].dir))!;
      assert.equal(meta.checkpoint, method === 'full' ? 'base' : 'adapter');
      assert.equal(meta.evaluation, method === 'moelora' ? 'unmerged' : 'merged');
    });
  }

  it('multitask: one stage that sees every task', async () => {
    const records = await runContinual(options('multitask', 'multitask'));
    assert.equal(records.length, 1);
    assert.deepEqual(Object.keys(records[0].samplesPerTask).sort(), [...TASKS].sort());
    for (const t of TASKS) assert.equal(records[0].samplesPerTask[t], 12);
    lossFalls(records);
    await chainLoads(records, 'multitask');
  });

  it('zeroshot: a checkpoint per stage that changes no weight', async () => {
    const records = await runContinual(options('zeroshot', 'zeroshot'));
    assert.equal(records.length, 2);
    for (const r of records) {
      assert.equal(r.steps, 0);
      const meta = (await readStageMeta(r.dir))!;
      const { weights } = await loadStageCheckpoint(r.dir, meta);
      for (const [name, t] of weights) {
        if (name.endsWith('lora_B'))
          assert.ok(
            (t.data as Float32Array).every((x) => x === 0),
            name,
          );
        else if (!name.endsWith('lora_A')) assert.ok(sameBits(t, world.base.weights.get(name)!), name);
      }
    }
  });

  /** The projector each stage starts from, as the method sees it. */
  const projectorStarts = async (fidelity: 'coin' | 'strict') => {
    const seen: TensorData[] = [];
    const adapters: Array<TensorData | undefined> = [];
    const spy: AnyMethod = {
      ...(lora as unknown as AnyMethod),
      prepareStage: (ctx) => {
        seen.push(ctx.start.get(PROJECTOR)!);
        adapters.push(ctx.start.get(LORA_A));
        return lora.prepareStage(ctx as never);
      },
    };
    const o = options('lora', `chain-${fidelity}`, { fidelity, method: spy });
    const records = await runContinual({ ...o, training: { ...o.training, epochs: 1 } });
    const stage1 = (await loadStageCheckpoint(records[0].dir, (await readStageMeta(records[0].dir))!)).weights;
    assert.equal(adapters[0], undefined, 'stage 1 starts without an adapter');
    assert.ok(sameBits(adapters[1]!, stage1.get(LORA_A)!), 'stage 2 starts from stage 1’s LoRA');
    return { seen, trained1: stage1.get(PROJECTOR)! };
  };

  it('coin fidelity: stage 2 starts from the base projector again, the LoRA carried', async () => {
    const { seen, trained1 } = await projectorStarts('coin');
    const base = world.base.weights.get(PROJECTOR)!;
    assert.ok(sameBits(seen[0], base));
    assert.ok(!sameBits(trained1, base), 'stage 1 trained the projector');
    assert.ok(sameBits(seen[1], base));
  });

  it('strict fidelity: stage 2 starts from stage 1’s projector', async () => {
    const { seen, trained1 } = await projectorStarts('strict');
    assert.ok(sameBits(seen[1], trained1));
  });

  it('strict fidelity: the projector trains at its own rate (0 keeps it, coin trains it at the LoRA rate)', async () => {
    const projectorAfterStage1 = async (fidelity: 'coin' | 'strict') => {
      const o = options('lora', `rates-${fidelity}`, { fidelity, tasks: TASKS.slice(0, 1) });
      const [r] = await runContinual({ ...o, training: { ...o.training, epochs: 1, projectorLr: 0 } });
      return (await loadStageCheckpoint(r.dir, (await readStageMeta(r.dir))!)).weights.get(PROJECTOR)!;
    };
    const base = world.base.weights.get(PROJECTOR)!;
    assert.ok(sameBits(await projectorAfterStage1('strict'), base));
    assert.ok(!sameBits(await projectorAfterStage1('coin'), base));
  });

  it('a stage killed mid-way and resumed ends bit-identical to an uninterrupted run', async () => {
    // With LoRA dropout (0.05): the resumed sessions must draw the masks of the steps they redo.
    const hyper = METHODS.resolve('lora', 'micro', {});
    assert.ok(Number(hyper.dropout) > 0);
    const base = (out: string) => ({ ...options('lora', out), hyper, checkpointEvery: 2 });
    const whole = await runContinual(base('whole'));
    const killed = base('killed');
    await assert.rejects(
      runContinual({
        ...killed,
        onStep: (row) => {
          if (row.stage === 'VQAv2' && row.step === 5) throw new Error('killed');
        },
      }),
      /killed/,
    );
    assert.equal(await readStageMeta(join(killed.out, '2-VQAv2')), undefined, 'stage 2 left unfinished');
    await assert.rejects(
      runContinual({ ...killed, seed: 2, resume: true }),
      /TRAIN\.RESUME_MISMATCH|ran lora with seed 1/,
    );
    const steps: number[] = [];
    const resumed = await runContinual({ ...killed, resume: true, onStep: (row) => steps.push(row.step) });
    assert.equal(steps[0], 5, 'continued after the snapshot at step 4');
    assert.ok(resumed[0].loaded && !resumed[1].loaded);
    for (let k = 0; k < 2; k++) {
      const a = (await loadStageCheckpoint(whole[k].dir, (await readStageMeta(whole[k].dir))!)).weights;
      const b = (await loadStageCheckpoint(resumed[k].dir, (await readStageMeta(resumed[k].dir))!)).weights;
      assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
      for (const [name, t] of a) assert.ok(sameBits(t, b.get(name)!), `${whole[k].plan.name} ${name}`);
    }
  });
});
