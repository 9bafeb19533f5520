import { invalidArgument } from '@coin/core';
import { IGNORE_INDEX, IMAGE_SENTINEL_ID } from './image-tokens.js';

export interface CollateInput {
  readonly inputIds: readonly number[];
  readonly labels: readonly number[];
}

export interface CollateOptions {
  /** Padding id: the tokenizer's padId (= unk, docs/protocol.md#prompt-format-and-loss-masking). */
  readonly padId: number;
  /** Truncate every sequence to this many positions (LLaVA model_max_length). Default 2048. */
  readonly maxLength?: number;
  /**
   * Positions the image sentinel expands to (the vision tower's N). Default 1: maxLength counts
   * ids. Give N so that maxLength bounds the expanded length the model sees (see keptLength).
   */
  readonly imageTokens?: number;
  /**
   * `right` (default): training, as LLaVA. `left`: batched generation, so that every prompt ends
   * at the last column and new tokens append in lockstep.
   */
  readonly side?: 'right' | 'left';
}

/** A padded batch; every [B, T] array is row-major. */
export interface CollatedBatch {
  readonly batchSize: number; // B
  readonly seqLen: number; // T = longest (truncated) sample
  /** [B, T] ids; IMAGE_SENTINEL_ID (−200) marks where the visual tokens go; padId fills the padding. */
  readonly inputIds: Int32Array;
  /** [B, T] labels; IGNORE_INDEX (−100) on masked and padded positions. */
  readonly labels: Int32Array;
  /** [B, T] 1 on real tokens, 0 on padding. */
  readonly attentionMask: Int32Array;
  /** [B] sentinel column per sample, −1 for text-only samples (or a sentinel cut by truncation). */
  readonly imagePositions: Int32Array;
  /** [B] unpadded length per sample, in ids (the sentinel counts one). */
  readonly lengths: Int32Array;
  /** How many samples of the batch lost ids to truncation (a run counts these, never fails on them). */
  readonly truncated: number;
}

/**
 * How many of `ids` a sample keeps so that its expanded length (the sentinel as `imageTokens`
 * positions) is at most `maxLength`. LLaVA cuts twice (docs/protocol.md#prompt-format-and-loss-masking):
 * the collator cuts the ids at model_max_length, then the model cuts the spliced embeddings at
 * model_max_length again. Since `<image>` is moved to the front of its turn, the image sits right
 * after BOS and the system text, so in effect LLaVA keeps the image whole and cuts the tail of the
 * text (answer and closing `</s>` included, whose labels are lost with them). We cut the ids once so
 * that the expanded length fits, which gives the same tokens. An image that would not fit whole is
 * dropped with everything after it instead of being cut in half (LLaVA would keep a partial image;
 * that only happens when model_max_length is below BOS + system text + N, a configuration we refuse
 * elsewhere).
 */
export function keptLength(ids: readonly number[], maxLength: number, imageTokens = 1): number {
  let positions = 0;
  for (let t = 0; t < ids.length; t++) {
    const width = ids[t] === IMAGE_SENTINEL_ID ? imageTokens : 1;
    if (positions + width > maxLength) return t;
    positions += width;
  }
  return ids.length;
}

/**
 * LLaVA's DataCollatorForSupervisedDataset: right-pad input ids with the pad id and labels with
 * −100, truncate to maxLength. The attention mask comes from the lengths; LLaVA computes
 * `input_ids != pad_id`, which differs only if a sample contains a literal `<unk>` token.
 */
export function collate(samples: readonly CollateInput[], options: CollateOptions): CollatedBatch {
  const maxLength = options.maxLength ?? 2048;
  if (samples.length === 0) throw invalidArgument('PROMPT.EMPTY_BATCH', 'cannot collate an empty batch');
  samples.forEach((s, b) => {
    if (s.inputIds.length !== s.labels.length) {
      throw invalidArgument(
        'PROMPT.BAD_SAMPLE',
        `sample ${b}: ${s.inputIds.length} input ids but ${s.labels.length} labels`,
      );
    }
  });
  const lengths = Int32Array.from(samples, (s) => keptLength(s.inputIds, maxLength, options.imageTokens ?? 1));
  const truncated = samples.reduce((n, s, b) => n + (lengths[b] < s.inputIds.length ? 1 : 0), 0);
  const batchSize = samples.length;
  const seqLen = Math.max(...lengths);
  const inputIds = new Int32Array(batchSize * seqLen).fill(options.padId);
  const labels = new Int32Array(batchSize * seqLen).fill(IGNORE_INDEX);
  const attentionMask = new Int32Array(batchSize * seqLen);
  const imagePositions = new Int32Array(batchSize).fill(-1);
  samples.forEach((sample, b) => {
    const row = b * seqLen + (options.side === 'left' ? seqLen - lengths[b] : 0);
    for (let t = 0; t < lengths[b]; t++) {
      inputIds[row + t] = sample.inputIds[t];
      labels[row + t] = sample.labels[t];
      attentionMask[row + t] = 1;
      if (sample.inputIds[t] === IMAGE_SENTINEL_ID && imagePositions[b] < 0) imagePositions[b] = row + t - b * seqLen;
    }
  });
  return { batchSize, seqLen, inputIds, labels, attentionMask, imagePositions, lengths, truncated };
}

/** int64 copy of an id tensor, for graphs that take int64 input_ids (ONNX's usual choice). */
export function toInt64(ids: Int32Array): BigInt64Array {
  const out = new BigInt64Array(ids.length);
  for (let i = 0; i < ids.length; i++) out[i] = BigInt(ids[i]);
  return out;
}
