import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { attr, type TensorData } from '@coin/onnx';
import { runContinual } from '../loop/run.js';
import { loadStageCarry, readStageMeta } from '../loop/stage-checkpoint.js';
import { trainingDefaults } from '../loop/training-defaults.js';
import { type MicroWorld, microWorld } from '../testing/micro-world.js';
import { lora } from './lora.js';
import type { AnyMethod, StageContext } from './method.js';

const TASKS = ['ImageNet', 'VQAv2'];
const B = 'layers.0.attn.q.lora_B';

/**
 * A method that uses every hook the loop offers, as replay/ewc/lwf/olora will: the loop must call
 * each at its point and pass what it promises.
 */
describe('ContinualMethod hooks', () => {
  let world: MicroWorld;
  before(async () => {
    world = await microWorld(TASKS);
  });
  after(() => world.cleanup());

  it('stageSamples, extraInputs/extraFeeds/extraLoss, afterStage with gradients, state carried and stored', async () => {
    const calls: string[] = [];
    const states: unknown[] = [];
    const inner = lora as unknown as AnyMethod;
    const penalised = (weight: number): AnyMethod => ({
      ...inner,
      name: 'toy',
      stageSamples: (ctx, current, past) => {
        calls.push(`samples ${ctx.stage}: ${current.length} + past ${past.map((p) => p.task).join(',')}`);
        return [...current, ...past.flatMap((p) => p.samples.slice(0, 2))];
      },
      extraInputs: () => [{ name: 'toy_weight', dtype: 'float32' as const, dims: [] }],
      extraFeeds: async (batch) => {
        assert.ok(batch.feeds.input_ids && batch.samples.length > 0);
        return { toy_weight: { dtype: 'float32', dims: [], data: new Float32Array([weight]) } };
      },
      extraLoss: (g) => {
        const sq = g.b.op('ReduceSum', [g.b.op('Mul', [g.params.get(B)!, g.params.get(B)!])], {
          keepdims: attr.int(0),
        });
        return g.b.op('Mul', [sq, g.inputs.get('toy_weight')!]);
      },
      afterStage: async (ctx: StageContext, outcome) => {
        let batches = 0;
        for await (const batch of outcome.batches()) {
          const { loss, grad } = await outcome.gradient(batch);
          assert.ok(Number.isFinite(loss));
          assert.deepEqual([...grad.keys()].sort(), [...outcome.trained.keys()].sort());
          batches++;
        }
        states.push(ctx.state);
        return { stage: ctx.stage, batches };
      },
      encodeState: (s) => {
        const st = s as { stage: number; batches: number };
        return new Map<string, TensorData>([
          ['stage', { dtype: 'float32', dims: [2], data: new Float32Array([st.stage, st.batches]) }],
        ]);
      },
      decodeState: (t) => {
        const d = t.get('stage')!.data as Float32Array;
        return { stage: d[0], batches: d[1] };
      },
    });
    const options = (weight: number, out: string) => ({
      method: penalised(weight),
      hyper: { ...lora.defaults('micro'), dropout: 0 },
      training: { ...trainingDefaults('micro'), epochs: 1, batchSize: 4 },
      preset: 'micro' as const,
      fidelity: 'coin' as const,
      seed: 4,
      tasks: TASKS,
      dataDir: world.data,
      base: world.base,
      out: join(world.dir, out),
      session: { threads: 1 },
    });
    const records = await runContinual(options(1e3, 'penalised'));
    assert.deepEqual(calls, ['samples 1: 12 + past ', 'samples 2: 12 + past ImageNet']);
    assert.deepEqual(records[1].samplesPerTask, { VQAv2: 12, ImageNet: 2 });
    assert.deepEqual(states, [undefined, { stage: 1, batches: 3 }]);
    assert.ok(await readStageMeta(records[1].dir));

    // The extra term is in the trained loss: a heavy penalty on B gives another first loss.
    const plain = await runContinual(options(0, 'plain'));
    assert.notEqual(plain[1].losses[1], records[1].losses[1]);
  });

  it('a method with its own checkpoint layout resumes a later stage from exactly what it trained', async () => {
    const inner = lora as unknown as AnyMethod;
    const onlyB: AnyMethod = {
      ...inner,
      name: 'only-b',
      // A layout of its own: the checkpoint keeps the B matrices and the projector, not A.
      checkpointWeights: (_ctx, outcome) => ({
        kind: 'adapter',
        adapter: outcome.setup.adapter,
        weights: new Map([...outcome.trained].filter(([n]) => !n.endsWith('lora_A'))),
      }),
    };
    const options = (out: string) => ({
      method: onlyB,
      hyper: lora.defaults('micro'),
      training: { ...trainingDefaults('micro'), epochs: 2, batchSize: 4 },
      preset: 'micro' as const,
      fidelity: 'strict' as const,
      seed: 9,
      tasks: TASKS,
      dataDir: world.data,
      base: world.base,
      out: join(world.dir, out),
      session: { threads: 1 },
      checkpointEvery: 2,
    });
    const whole = await runContinual(options('only-b-whole'));
    const killed = options('only-b-killed');
    await assert.rejects(
      runContinual({
        ...killed,
        onStep: (row) => {
          if (row.stage === 'VQAv2' && row.step === 3) throw new Error('killed');
        },
      }),
      /killed/,
    );
    const resumed = await runContinual({ ...killed, resume: true });
    // Stage 2 of the resumed run started from stage 1's carry (its checkpoint lacks A) and ends as the whole run.
    assert.ok(resumed[0].loaded);
    const a = (await loadStageCarry(whole[1].dir, (await readStageMeta(whole[1].dir))!)).carried;
    const b = (await loadStageCarry(resumed[1].dir, (await readStageMeta(resumed[1].dir))!)).carried;
    assert.ok([...a.keys()].some((n) => n.endsWith('lora_A')));
    for (const [name, t] of a)
      assert.ok(
        Buffer.from((t.data as Float32Array).buffer).equals(Buffer.from((b.get(name)!.data as Float32Array).buffer)),
        name,
      );
  });
});
