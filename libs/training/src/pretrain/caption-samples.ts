import { IGNORE_INDEX, IMAGE_SENTINEL_ID, type Tokenizer } from '@coin/model';
import type { CaptionLine } from './world-corpus.js';

/** One tokenised pretraining sample: ids with the image sentinel, labels −100 where no loss is taken. */
export interface CaptionSample {
  readonly id: string;
  /** Image path relative to the world's image folder, absent for a text-only fact. */
  readonly image?: string;
  readonly inputIds: number[];
  readonly labels: number[];
}

/** LLaVA's `plain` template ends every caption with this separator. */
export const PLAIN_SEPARATOR = '\n';

/**
 * LLaVA's pretraining format (`conv_llava_plain`, preprocess_plain): BOS, the image, the caption,
 * then the separator `\n`; the loss covers the caption and the separator, never BOS or the image.
 * A text-only fact is BOS + text + `\n` with the loss on everything after BOS: the decoder starts
 * from random weights here, so it learns its language from these lines too.
 */
export function captionSample(line: CaptionLine, tokenizer: Tokenizer): CaptionSample {
  const text = tokenizer.encode(line.text + PLAIN_SEPARATOR);
  const prefix = line.image !== undefined ? [tokenizer.bosId, IMAGE_SENTINEL_ID] : [tokenizer.bosId];
  return {
    id: line.id,
    ...(line.image !== undefined ? { image: line.image } : {}),
    inputIds: [...prefix, ...text],
    labels: [...prefix.map(() => IGNORE_INDEX), ...text],
  };
}

/** Positions a sample takes once its sentinel becomes `imageTokens` visual tokens. */
export function expandedLength(ids: readonly number[], imageTokens: number): number {
  return ids.reduce((n, id) => n + (id === IMAGE_SENTINEL_ID ? imageTokens : 1), 0);
}
