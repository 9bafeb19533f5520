import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { TrainRunner, type TrainGraphSpec } from '@coin/autodiff';
import { Rng } from '@coin/core';
import {
  type AdapterConfig,
  adapterConfig,
  declareVlmInputs,
  initAdapter,
  lmHead,
  mergeLora,
  trainableParams,
  VLM_INPUTS,
  vlmHidden,
  WeightSource,
} from '@coin/model';
import type { TensorData } from '@coin/onnx';
import { colourBatch, colourSamples, MICRO, MICRO_BATCH, MICRO_SEQ, microBase } from '../testing/micro-vlm.js';
import { LWF_TEACHER_INPUT, LwfTeacher } from './lwf-teacher.js';
import { distillationLoss } from './penalties/distillation.js';

const lora = adapterConfig({ kind: 'lora', rank: 4, alpha: 8 });

/** Base + a LoRA whose B is random, so the adapter changes the logits. */
function adapted(seed: number): Map<string, TensorData> {
  const rng = new Rng(seed);
  const adapter = initAdapter(MICRO.decoder, lora, seed);
  for (const [name, t] of adapter)
    if (name.endsWith('.lora_B'))
      adapter.set(name, { ...t, data: Float32Array.from(t.data as Float32Array, () => rng.range(-0.3, 0.3)) });
  return new Map([...microBase(), ...adapter]);
}

const batch = colourBatch(colourSamples([0, 1, 2, 3], MICRO_BATCH), 3);

test('lwf teacher: the previous stage with its adapter unmerged gives the logits of its merged weights', async () => {
  const weights = adapted(5);
  const unmerged = new LwfTeacher({ config: MICRO, weights, adapter: lora });
  const merged = new LwfTeacher({ config: MICRO, weights: mergeLora(weights, lora) });
  const a = await unmerged.logits(batch);
  const b = await merged.logits(batch);
  assert.deepEqual([...a.dims], [MICRO_BATCH, MICRO_SEQ, MICRO.decoder.vocab]);
  const plain = await new LwfTeacher({ config: MICRO, weights: microBase() }).logits(batch);
  let diff = 0;
  let moved = 0;
  for (let i = 0; i < a.data.length; i++) {
    diff = Math.max(diff, Math.abs(Number(a.data[i]) - Number(b.data[i])));
    moved = Math.max(moved, Math.abs(Number(a.data[i]) - Number(plain.data[i])));
  }
  assert.ok(diff < 1e-4, `unmerged vs merged: ${diff}`);
  assert.ok(moved > 1e-2, `the adapter changes the logits (${moved})`);
  await Promise.all([unmerged.release(), merged.release()]);
});

/** A training graph whose loss is the distillation term alone, toward the fed teacher logits. */
function distillSpec(weights: ReadonlyMap<string, TensorData>, adapter: AdapterConfig): TrainGraphSpec {
  return {
    name: 'lwf_check',
    trainable: trainableParams(weights, adapter),
    forward: (b, params) => {
      const ctx = { b, w: new WeightSource(b, weights, params), adapter };
      const inputs = declareVlmInputs(b, MICRO, MICRO_BATCH, MICRO_SEQ);
      const labels = b.input(VLM_INPUTS.labels, 'int64', [MICRO_BATCH, MICRO_SEQ]);
      const teacher = b.input(LWF_TEACHER_INPUT, 'float32', [MICRO_BATCH, MICRO_SEQ, MICRO.decoder.vocab]);
      return distillationLoss(b, lmHead(ctx, MICRO.decoder, vlmHidden(ctx, MICRO, inputs)), teacher, labels, 2);
    },
  };
}

test('lwf in the training graph: zero while the student is the teacher, positive once they differ', async () => {
  const previous = adapted(5);
  const teacher = new LwfTeacher({ config: MICRO, weights: previous, adapter: lora });
  const feeds = { ...batch, [LWF_TEACHER_INPUT]: await teacher.logits(batch) };
  const same = await TrainRunner.create(distillSpec(previous, lora), { threads: 1 });
  same.setParams(
    Object.fromEntries(same.layout.entries.map((e) => [e.name, previous.get(e.name)!.data as Float32Array])),
  );
  assert.ok(Math.abs((await same.step(feeds, 0)).loss) < 1e-5);
  const other = adapted(6);
  const moved = await TrainRunner.create(distillSpec(other, lora), { threads: 1 });
  moved.setParams(
    Object.fromEntries(moved.layout.entries.map((e) => [e.name, other.get(e.name)!.data as Float32Array])),
  );
  const first = (await moved.step(feeds, 1e-2)).loss;
  assert.ok(first > 1e-3, `distillation ${first}`);
  let last = first;
  for (let s = 0; s < 15; s++) last = (await moved.step(feeds, 1e-2)).loss;
  assert.ok(last < 0.5 * first, `the student moves toward the teacher: ${first} → ${last}`);
  await Promise.all([teacher.release(), same.release(), moved.release()]);
});
