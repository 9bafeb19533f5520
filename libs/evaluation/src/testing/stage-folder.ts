import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Rng } from '@coin/core';
import {
  type AdapterSpec,
  initAdapter,
  type ModelConfig,
  saveAdapterCheckpoint,
  saveBaseCheckpoint,
} from '@coin/model';
import type { TensorData } from '@coin/onnx';
import { STAGE_META_FILE } from '../stage-meta.js';

export const TEST_BASE_KEY = 'b'.repeat(64);

/** `coin_stage.json` as libs/training writes it (docs/file-formats.md#training-runs), with the fields evaluation reads. */
export async function writeStageMeta(
  dir: string,
  fields: { evaluation: 'merged' | 'unmerged'; checkpoint: 'adapter' | 'base'; method?: string; base?: string },
): Promise<void> {
  const meta = {
    format: 'coin-stage/1',
    method: fields.method ?? (fields.checkpoint === 'base' ? 'full' : 'lora'),
    fidelity: 'coin',
    preset: 'micro',
    seed: 0,
    base: fields.base ?? TEST_BASE_KEY,
    stage: 1,
    name: 'TextVQA',
    tasks: ['TextVQA'],
    variant: 'original',
    evaluation: fields.evaluation,
    checkpoint: fields.checkpoint,
    hyper: {},
    training: {},
    steps: 1,
  };
  await writeFile(join(dir, STAGE_META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
}

/**
 * An adapter whose B is random, not the init's zeros, so that it changes the model's answers, and a
 * projector moved off the base's: what a trained stage's adapter checkpoint holds.
 */
export function trainedAdapter(
  config: ModelConfig,
  base: ReadonlyMap<string, TensorData>,
  spec: AdapterSpec,
  seed: number,
): Map<string, TensorData> {
  const rng = Rng.for(seed, 'trained-adapter');
  const out = new Map<string, TensorData>();
  for (const [name, t] of initAdapter(config.decoder, { ...spec, trainProjector: true }, seed)) {
    const data = Float32Array.from(t.data as Float32Array);
    if (name.endsWith('.lora_B')) data.forEach((_, i, a) => (a[i] = (rng.next() - 0.5) * 0.5));
    out.set(name, { dtype: 'float32', dims: t.dims, data });
  }
  for (const [name, t] of base)
    if (name.startsWith('projector.'))
      out.set(name, { dtype: 'float32', dims: t.dims, data: (t.data as Float32Array).map((v) => v * 1.5) });
  return out;
}

/** A finished adapter stage folder: metadata, then the checkpoint (its config written last, as training does). */
export async function writeAdapterStage(
  dir: string,
  spec: AdapterSpec,
  weights: ReadonlyMap<string, TensorData>,
  evaluation: 'merged' | 'unmerged',
  base = TEST_BASE_KEY,
): Promise<void> {
  await writeStageMeta(dir, { evaluation, checkpoint: 'adapter', base });
  await saveAdapterCheckpoint(dir, { spec, weights: new Map(weights) }, { baseModel: base });
}

/** A finished full-tuning stage folder: the whole model as a base checkpoint. */
export async function writeFullStage(
  dir: string,
  config: ModelConfig,
  weights: ReadonlyMap<string, TensorData>,
): Promise<void> {
  await writeStageMeta(dir, { evaluation: 'merged', checkpoint: 'base' });
  await saveBaseCheckpoint(dir, config, weights);
}
