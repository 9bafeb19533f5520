import { buildTrainingSample, IGNORE_INDEX, IMAGE_SENTINEL_ID, type Tokenizer } from '@coin/model';
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
  if (line.prompt !== undefined) return chatSample(line, line.prompt, tokenizer);
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

/**
 * A text-only chat round as a stage trains on it (vicuna_v1 with the system text, loss on the
 * reply and its end token): the base learns how a reply looks and ends before any stage asks it to.
 */
function chatSample(line: CaptionLine, prompt: string, tokenizer: Tokenizer): CaptionSample {
  const t = buildTrainingSample(
    {
      id: line.id,
      conversations: [
        { from: 'human', value: prompt },
        { from: 'gpt', value: line.text },
      ],
    },
    tokenizer,
  );
  return { id: line.id, inputIds: [...t.inputIds], labels: [...t.labels] };
}
