import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CoinError } from '@coin/core';
import {
  ADAPTER_CONFIG_FILE,
  type AdapterSpec,
  adapterConfig,
  initModel,
  isAdapterName,
  mergeLora,
  PRESETS,
  withVocabAndSeq,
} from '@coin/model';
import type { TensorData } from '@coin/onnx';
import { loadStageModel } from './stage-model.js';
import { STAGE_META_FILE } from './stage-meta.js';
import {
  TEST_BASE_KEY,
  trainedAdapter,
  writeAdapterStage,
  writeFullStage,
  writeStageMeta,
} from './testing/stage-folder.js';

const config = withVocabAndSeq(PRESETS.micro, 40, 64);
const weights = initModel(config, 1);
const base = { config, weights, key: TEST_BASE_KEY };
const LORA: AdapterSpec = { kind: 'lora', rank: 4, alpha: 8, dropout: 0.05, targets: ['q', 'v', 'down'], experts: 1 };
const MOE: AdapterSpec = { kind: 'moelora', rank: 4, alpha: 8, dropout: 0, targets: ['q', 'v'], experts: 2 };
const isCode = (code: string) => (e: unknown) => e instanceof CoinError && e.code === code;
const same = (a: TensorData | undefined, b: TensorData | undefined) => {
  assert.ok(a && b);
  assert.deepEqual(a.dims, b.dims);
  assert.deepEqual(a.data, b.data);
};

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coin-stage-model-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function stage(name: string): Promise<string> {
  const d = join(dir, name);
  await mkdir(d);
  return d;
}

test('no stage folder: the bare base (zero-shot)', async () => {
  const m = await loadStageModel(base, undefined);
  assert.equal(m.weights, weights);
  assert.equal(m.adapter, undefined);
  assert.equal(m.meta, undefined);
});

test('a LoRA stage evaluated merged: the checkpoint read back, overlaid and folded into the weights', async () => {
  const trained = trainedAdapter(config, weights, LORA, 2);
  const d = await stage('lora-merged');
  await writeAdapterStage(d, LORA, trained, 'merged');
  const m = await loadStageModel(base, d);
  assert.equal(m.adapter, undefined);
  assert.equal(m.meta?.evaluation, 'merged');
  assert.ok(![...m.weights.keys()].some(isAdapterName), 'no adapter tensor is left');
  const expected = mergeLora(new Map([...weights, ...trained]), adapterConfig({ ...LORA, trainProjector: false }));
  assert.deepEqual([...m.weights.keys()].sort(), [...expected.keys()].sort());
  for (const [name, t] of expected) same(m.weights.get(name), t);
  // The adapter and the projector did change the model; the vision tower did not.
  assert.notDeepEqual(m.weights.get('layers.0.attn.q.weight')?.data, weights.get('layers.0.attn.q.weight')?.data);
  same(m.weights.get('projector.0.weight'), trained.get('projector.0.weight'));
  assert.ok(weights.has('vision.patch_embed.weight'));
  assert.equal(m.weights.get('vision.patch_embed.weight'), weights.get('vision.patch_embed.weight'));
});

test('a stage evaluated unmerged, and MoELoRA always: the adapter beside the base weights', async () => {
  for (const [spec, evaluation] of [
    [LORA, 'unmerged'],
    [MOE, 'merged'],
  ] as const) {
    const trained = trainedAdapter(config, weights, spec, 3);
    const d = await stage(`${spec.kind}-${evaluation}`);
    await writeAdapterStage(d, spec, trained, evaluation);
    const m = await loadStageModel(base, d);
    assert.deepEqual(m.adapter, adapterConfig({ ...spec, trainProjector: false }));
    for (const [name, t] of trained) same(m.weights.get(name), t);
    assert.equal(m.weights.get('layers.0.attn.q.weight'), weights.get('layers.0.attn.q.weight'));
  }
});

test('a full-tuning stage (a base checkpoint) replaces the whole model', async () => {
  const tuned = initModel(config, 9);
  const d = await stage('full');
  await writeFullStage(d, config, tuned);
  const m = await loadStageModel(base, d);
  assert.equal(m.adapter, undefined);
  assert.equal(m.meta?.checkpoint, 'base');
  for (const [name, t] of tuned) same(m.weights.get(name), t);
  const other = withVocabAndSeq(PRESETS.micro, 41, 64);
  const d2 = await stage('full-other');
  await writeFullStage(d2, other, initModel(other, 9));
  await assert.rejects(loadStageModel(base, d2), isCode('EVAL.CHECKPOINT_MISMATCH'));
});

test('refused: no stage, an unfinished or damaged one, another base, tensors that do not fit', async () => {
  const trained = trainedAdapter(config, weights, LORA, 4);
  await assert.rejects(loadStageModel(base, await stage('empty')), isCode('EVAL.STAGE_NOT_FOUND'));

  const unfinished = await stage('unfinished');
  await writeAdapterStage(unfinished, LORA, trained, 'merged');
  await unlink(join(unfinished, ADAPTER_CONFIG_FILE));
  await assert.rejects(loadStageModel(base, unfinished), isCode('EVAL.STAGE_UNFINISHED'));

  const damaged = await stage('damaged');
  await writeFile(join(damaged, STAGE_META_FILE), '{"format": "coin-stage/1", "meth');
  await assert.rejects(loadStageModel(base, damaged), isCode('EVAL.CORRUPT_STAGE'));
  await writeStageMeta(damaged, { evaluation: 'sometimes' as 'merged', checkpoint: 'adapter' });
  await assert.rejects(
    loadStageModel(base, damaged),
    (e) => isCode('EVAL.CORRUPT_STAGE')(e) && /evaluation/.test(String(e)),
  );

  const elsewhere = await stage('other-base');
  await writeAdapterStage(elsewhere, LORA, trained, 'merged', 'c'.repeat(64));
  await assert.rejects(loadStageModel(base, elsewhere), isCode('EVAL.WRONG_BASE'));
  // Without a key to compare, the base is taken on trust.
  assert.ok((await loadStageModel({ config, weights }, elsewhere)).meta);

  const wide = await stage('wide-projector');
  const projector = new Map(trained);
  projector.set('projector.2.bias', { dtype: 'float32', dims: [7], data: new Float32Array(7) });
  await writeAdapterStage(wide, LORA, projector, 'merged');
  await assert.rejects(loadStageModel(base, wide), isCode('EVAL.CHECKPOINT_MISMATCH'));
});
