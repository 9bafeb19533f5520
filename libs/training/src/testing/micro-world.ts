import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '@coin/core';
import { collect, prepareSynth, readTrainFile, DEFAULT_SYNTH_OPTIONS } from '@coin/data';
import {
  ByteLevelBpeTokenizer,
  initModel,
  PRESETS,
  renderVicunaV1,
  saveBaseCheckpoint,
  saveByteLevelBpe,
  conversationMessages,
  trainByteLevelBpe,
  withVocabAndSeq,
} from '@coin/model';
import type { BaseModel } from '../loop/run.js';
import { trainFilePath } from '../loop/samples.js';

/**
 * A tiny CoIN-Synth world and a freshly initialised micro base with a BPE tokenizer trained on the
 * world's conversations: enough for training tests until a pretrained base exists. Not public API.
 */
export interface MicroWorld {
  readonly dir: string;
  readonly data: string;
  readonly base: BaseModel;
  /** Writes the base as a folder `coin train --base` reads (checkpoint + tokenizer). */
  writeBase(dir: string): Promise<void>;
  cleanup(): Promise<void>;
}

export async function microWorld(tasks: readonly string[], train = 12, seed = 3): Promise<MicroWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'coin-train-'));
  const data = join(dir, 'world');
  await prepareSynth(data, { ...DEFAULT_SYNTH_OPTIONS, seed, train, test: 2, pretrain: 1, imageSize: 32 });
  const corpus: string[] = [];
  for (const t of tasks)
    for (const r of await collect(readTrainFile(trainFilePath(data, 'original', t))))
      corpus.push(renderVicunaV1(conversationMessages(r.conversations, r.id), '</s>'));
  const bpe = trainByteLevelBpe(corpus, { vocabSize: PRESETS.micro.decoder.vocab });
  const tokenizer = new ByteLevelBpeTokenizer(bpe);
  const config = withVocabAndSeq(PRESETS.micro, tokenizer.vocabSize);
  const weights = initModel(config, seed);
  const key = sha256Hex(`micro-test-base|${seed}|${tokenizer.vocabSize}`);
  const writeBase = async (to: string) => {
    await saveBaseCheckpoint(to, config, weights);
    await saveByteLevelBpe(to, bpe);
  };
  return {
    dir,
    data,
    base: { config, weights, tokenizer, key },
    writeBase,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
