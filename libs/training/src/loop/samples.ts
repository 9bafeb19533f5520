import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { CoinError } from '@coin/core';
import { collect, ImageFolder, type InstructionVariant, readTrainFile, VARIANT_FOLDERS } from '@coin/data';
import { buildTrainingSample, imageTokens, keptLength, type ModelConfig, type Tokenizer } from '@coin/model';
import type { StageSample } from '../methods/method.js';

/** A sample tokenised for the model: ids and labels already cut to fit the longest bucket. */
export interface PreparedSample {
  readonly sample: StageSample;
  readonly inputIds: readonly number[];
  readonly labels: readonly number[];
  /** Positions it takes in the decoder: text tokens plus the image's N tokens for its sentinel. */
  readonly length: number;
}

/** Where a CoIN data folder keeps a task's training file (docs/file-formats.md). */
export function trainFilePath(dataDir: string, variant: InstructionVariant, task: string): string {
  return join(dataDir, VARIANT_FOLDERS[variant], task, 'train.json');
}

/** Every record of a task's training file, tagged with the task and its index in the file. */
export async function readTaskSamples(
  dataDir: string,
  variant: InstructionVariant,
  task: string,
): Promise<StageSample[]> {
  const path = trainFilePath(dataDir, variant, task);
  try {
    await access(path);
  } catch {
    throw new CoinError('TRAIN.DATA_NOT_FOUND', 'NOT_FOUND', `no training file for task ${task}: ${path}`, {
      hint: 'point --data at a folder written by `coin prep` (e.g. `coin prep synth --out DIR`)',
    });
  }
  const records = await collect(readTrainFile(path));
  return records.map((record, index) => ({ task, index, record }));
}

/**
 * Tokenises samples with the base's tokenizer. A sample longer than `maxSeq` positions loses its
 * text tail, as LLaVA truncates to model_max_length (`keptLength`: the image stays whole);
 * `truncated` counts them so that a run can report it instead of failing mid-way.
 */
export function prepareSamples(
  samples: readonly StageSample[],
  tokenizer: Tokenizer,
  config: ModelConfig,
  maxSeq: number,
): { prepared: PreparedSample[]; truncated: number } {
  const n = imageTokens(config.vision);
  let truncated = 0;
  const prepared = samples.map((sample) => {
    const t = buildTrainingSample(sample.record, tokenizer);
    const keep = keptLength(t.inputIds, maxSeq, n);
    if (keep < t.inputIds.length) truncated++;
    const inputIds = t.inputIds.slice(0, keep);
    const hasImage = t.imagePosition >= 0 && t.imagePosition < keep;
    return { sample, inputIds, labels: t.labels.slice(0, keep), length: keep + (hasImage ? n - 1 : 0) };
  });
  return { prepared, truncated };
}

/**
 * Preprocessed pixels of the images a stage uses, kept in memory ([3, S, S] each; pad mode, as
 * LLaVA's training pads to a square with the mean colour before the CLIP processor).
 */
export class ImageStore extends ImageFolder {
  constructor(dataDir: string, size: number) {
    super(dataDir, {
      size,
      mode: 'pad',
      missing: (path, cause) =>
        new CoinError('TRAIN.IMAGE_NOT_FOUND', 'NOT_FOUND', `cannot read image ${path}`, { cause }),
    });
  }
}
