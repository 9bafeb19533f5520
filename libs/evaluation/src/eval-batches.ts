import { CoinError } from '@coin/core';
import type { CoinTask, TestRecord } from '@coin/data';
import { buildEvalPrompt, EVAL_SETTINGS, type PromptBatch, type Tokenizer } from '@coin/model';
import type { EvalImages } from './eval-images.js';

/**
 * One generator batch of a task, in test-file order: `real` items, then repeats of the last one
 * filling it to the generator's batch size (their answers are dropped).
 */
export interface EvalBatch {
  /** Index of the batch's first item among the task's test records. */
  readonly start: number;
  readonly real: number;
  /** Token ids per row, as buildEvalPrompt makes them (the image as IMAGE_SENTINEL_ID). */
  readonly prompts: readonly (readonly number[])[];
  /** Image path per row, undefined for a text-only row (ScienceQA items without an image). */
  readonly images: readonly (string | undefined)[];
  /** New tokens the batch may make: CoIN's limit, or less where the model's positions run out. */
  readonly maxNewTokens: number;
  /** Whether `maxNewTokens` is below CoIN's limit for the task. */
  readonly capped: boolean;
}

export interface BatchPlanOptions {
  readonly task: CoinTask;
  readonly batch: number;
  /** Positions the model takes in all (prompt with its image expanded + new tokens). */
  readonly maxSeq: number;
  /** Positions an image takes. */
  readonly imageTokens: number;
}

/**
 * Splits a task's test records into generator batches (docs/protocol.md#evaluation-runner):
 * prompts built by the task's runner, new tokens capped per batch at what fits after its longest
 * prompt, CoIN's limit otherwise. A prompt that leaves no room for an answer is refused up front.
 */
export function planBatches(records: readonly TestRecord[], tokenizer: Tokenizer, o: BatchPlanOptions): EvalBatch[] {
  const settings = EVAL_SETTINGS[o.task];
  const prompts = records.map((r) => buildEvalPrompt(r, settings.runner, tokenizer));
  const positions = prompts.map((p) => p.inputIds.length + (p.imagePosition >= 0 ? o.imageTokens - 1 : 0));
  positions.forEach((n, i) => {
    if (n >= o.maxSeq)
      throw new CoinError(
        'EVAL.PROMPT_TOO_LONG',
        'INVALID_ARGUMENT',
        `${o.task} test item ${JSON.stringify(records[i].question_id)} takes ${n} positions with its image; the model takes ${o.maxSeq} in all, which leaves no room for an answer`,
        { hint: 'evaluate with a preset whose maxSeq is longer, or shorten the instruction' },
      );
  });
  const batches: EvalBatch[] = [];
  for (let start = 0; start < records.length; start += o.batch) {
    const real = Math.min(o.batch, records.length - start);
    const row = (k: number) => start + Math.min(k, real - 1);
    const rows = Array.from({ length: o.batch }, (_, k) => row(k));
    const longest = Math.max(...rows.map((i) => positions[i]));
    const maxNewTokens = Math.min(settings.maxNewTokens, o.maxSeq - longest);
    batches.push({
      start,
      real,
      prompts: rows.map((i) => prompts[i].inputIds),
      images: rows.map((i) => (prompts[i].imagePosition >= 0 ? records[i].image : undefined)),
      maxNewTokens,
      capped: maxNewTokens < settings.maxNewTokens,
    });
  }
  return batches;
}

/** Whether any row of the batch has an image (else it can run on a text-only generator). */
export function hasImages(b: EvalBatch): boolean {
  return b.images.some((image) => image !== undefined);
}

/** The batch as the Generator takes it: pixels [B, 3, S, S] (zeros for text-only rows) when any row has an image. */
export async function loadBatch(b: EvalBatch, images: EvalImages, imageSize: number): Promise<PromptBatch> {
  if (!hasImages(b)) return { prompts: b.prompts };
  const plane = 3 * imageSize * imageSize;
  const pixels = new Float32Array(b.prompts.length * plane);
  const rows = await Promise.all(b.images.map((image) => (image === undefined ? undefined : images.pixels(image))));
  rows.forEach((p, k) => {
    if (p) pixels.set(p, k * plane);
  });
  return { prompts: b.prompts, pixels };
}
