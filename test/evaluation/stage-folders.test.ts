import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadStageModel } from '@coin/evaluation';
import { adapterConfig, initAdapter, initModel, PRESETS, withVocabAndSeq } from '@coin/model';
import {
  type CheckpointWeights,
  METHODS,
  type StageMeta,
  trainingDefaults,
  writeStageCheckpoint,
} from '@coin/training';

/**
 * Stage folders as libs/training writes them load for evaluation: evaluation reads
 * `coin_stage.json` on its own (it may not import training), so this is where a change to the
 * training side's record would show.
 */
const config = withVocabAndSeq(PRESETS.micro, 40, 64);
const weights = initModel(config, 1);
const key = 'a'.repeat(64);

function meta(method: string, checkpoint: 'adapter' | 'base'): StageMeta {
  const m = METHODS.get(method);
  return {
    format: 'coin-stage/1',
    method,
    fidelity: 'coin',
    preset: 'micro',
    seed: 0,
    base: key,
    stage: 2,
    name: 'GQA',
    tasks: ['GQA'],
    variant: 'original',
    evaluation: m.evaluation,
    checkpoint,
    hyper: m.defaults('micro'),
    training: trainingDefaults('micro'),
    steps: 3,
  };
}

test("training's stage folders (lora, moelora, full) load as the model of their stage", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'coin-stage-folders-'));
  try {
    const cases: Array<[string, CheckpointWeights, boolean]> = [];
    for (const kind of ['lora', 'moelora'] as const) {
      const adapter = adapterConfig({ kind, rank: 4, alpha: 8, targets: ['q', 'v'], experts: kind === 'lora' ? 1 : 2 });
      cases.push([
        kind,
        { kind: 'adapter', adapter, weights: initAdapter(config.decoder, adapter, 3) },
        kind === 'moelora',
      ]);
    }
    cases.push(['full', { kind: 'base', weights: initModel(config, 2) }, false]);
    for (const [method, checkpoint, unmerged] of cases) {
      const stage = join(dir, `2-GQA-${method}`);
      await writeStageCheckpoint(stage, meta(method, checkpoint.kind), checkpoint, config, undefined);
      const model = await loadStageModel({ config, weights, key }, stage);
      assert.deepEqual(
        model.meta,
        {
          method,
          evaluation: METHODS.get(method).evaluation,
          checkpoint: checkpoint.kind,
          base: key,
          stage: 2,
          name: 'GQA',
        },
        method,
      );
      assert.equal(model.adapter !== undefined, unmerged, method);
      if (checkpoint.kind === 'base') {
        assert.notDeepEqual(weights.get('tok_embeddings')?.data, checkpoint.weights.get('tok_embeddings')?.data);
        assert.deepEqual(model.weights.get('tok_embeddings')?.data, checkpoint.weights.get('tok_embeddings')?.data);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
