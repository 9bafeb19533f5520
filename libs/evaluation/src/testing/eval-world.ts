import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COIN_TASKS, collect, DEFAULT_SYNTH_OPTIONS, prepareSynth, readTestFile } from '@coin/data';
import {
  ByteLevelBpeTokenizer,
  initModel,
  type ModelConfig,
  PRESETS,
  trainByteLevelBpe,
  VICUNA_V1_SYSTEM,
  withVocabAndSeq,
} from '@coin/model';
import type { TensorData } from '@coin/onnx';
import { testFilePath } from '../test-items.js';

/**
 * A small CoIN-Synth world and a freshly initialised micro base whose byte-level BPE is trained on
 * the world's test prompts: random weights answer at random, which is what the evaluation tests
 * need (any mix-up of rows, positions or padding changes some answer). Not public API.
 */
export interface EvalWorld {
  readonly dir: string;
  /** The prepared data folder. */
  readonly data: string;
  readonly config: ModelConfig;
  readonly weights: ReadonlyMap<string, TensorData>;
  readonly tokenizer: ByteLevelBpeTokenizer;
  /** The same model with another number of positions (rotary tables only: the weights fit both). */
  withMaxSeq(maxSeq: number): ModelConfig;
  cleanup(): Promise<void>;
}

/**
 * q and k scaled up 25× (as libs/model's generation tests do): attention at the init's std 0.02 is
 * almost uniform, which would hide a wrong position, mask or padding row; sharpened, such an error
 * changes the argmax somewhere.
 */
function sharpened(weights: Map<string, TensorData>): Map<string, TensorData> {
  for (const [name, t] of weights)
    if (/attn\.(q|k)\.weight$/.test(name)) (t.data as Float32Array).forEach((v, i, a) => (a[i] = v * 25));
  return weights;
}

export async function evalWorld(test = 6, seed = 5, maxSeq = 512): Promise<EvalWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'coin-eval-'));
  const data = join(dir, 'world');
  await prepareSynth(data, { ...DEFAULT_SYNTH_OPTIONS, seed, train: 2, test, pretrain: 0, imageSize: 32 });
  const corpus = [VICUNA_V1_SYSTEM, 'USER: ASSISTANT:'];
  for (const task of COIN_TASKS)
    for (const r of await collect(readTestFile(testFilePath(data, 'original', task), task)))
      corpus.push(r.text, r.answer ?? r.answer_bbox ?? '');
  const tokenizer = new ByteLevelBpeTokenizer(trainByteLevelBpe(corpus, { vocabSize: PRESETS.micro.decoder.vocab }));
  const config = withVocabAndSeq(PRESETS.micro, tokenizer.vocabSize, maxSeq);
  return {
    dir,
    data,
    config,
    weights: sharpened(initModel(config, seed)),
    tokenizer,
    withMaxSeq: (n) => withVocabAndSeq(config, tokenizer.vocabSize, n),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
