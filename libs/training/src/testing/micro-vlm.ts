import { Rng } from '@coin/core';
import type { HostTensor } from '@coin/runtime';
import {
  collate,
  IMAGE_SENTINEL_ID,
  imageTokens,
  initModel,
  type ModelConfig,
  PRESETS,
  vlmBatch,
  withVocabAndSeq,
} from '@coin/model';

/**
 * A micro VLM and toy batches for the method tests: the answer token names the colour of the
 * image (ids ANSWER0 + colour), so a task is a set of colours and two tasks can conflict.
 */
export const MICRO: ModelConfig = withVocabAndSeq(PRESETS.micro, 24, 40);
export const MICRO_BATCH = 4;
export const MICRO_SEQ = 24; // 16 image tokens + 6 text tokens, padded
const ANSWER0 = 10;
const COLOURS = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
  [1, 1, 0],
];

export const microBase = (seed = 1) => initModel(MICRO, seed);

/** One toy sample: which colour it shows. */
export interface ColourSample {
  readonly colour: number;
  readonly id: number;
}

export function colourSamples(colours: readonly number[], count: number, firstId = 0): ColourSample[] {
  return Array.from({ length: count }, (_, i) => ({ colour: colours[i % colours.length], id: firstId + i }));
}

/** The feeds of a [MICRO_BATCH, MICRO_SEQ] batch of samples (answer: the colour's token, then EOS). */
export function colourBatch(samples: readonly ColourSample[], seed = 0): Record<string, HostTensor> {
  const rng = new Rng(seed);
  const S = MICRO.vision.imageSize;
  const pixels = new Float32Array(samples.length * 3 * S * S);
  const rows = samples.map((s, b) => {
    for (let ch = 0; ch < 3; ch++)
      pixels.fill(
        COLOURS[s.colour][ch] * 2 - 1 + (rng.next() - 0.5) * 0.2,
        (b * 3 + ch) * S * S,
        (b * 3 + ch + 1) * S * S,
      );
    const prompt = [1, IMAGE_SENTINEL_ID, 4, 5, 6];
    const answer = [ANSWER0 + s.colour, 2];
    return { inputIds: [...prompt, ...answer], labels: [...prompt.map(() => -100), ...answer] };
  });
  return vlmBatch(collate(rows, { padId: 0 }), pixels, S, imageTokens(MICRO.vision), MICRO_SEQ, 0).feeds;
}
