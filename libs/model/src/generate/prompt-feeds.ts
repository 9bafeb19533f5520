import { CoinError } from '@coin/core';
import type { HostTensor } from '@coin/runtime';
import { IMAGE_SENTINEL_ID } from '../prompt/image-tokens.js';
import { VLM_INPUTS } from '../vlm/vlm-batch.js';

// Prompts in, tokens out: the host side the cached generator and the recompute reference share
// (left padding, image positions, the checks ORT would only report as a failed kernel).

export interface PromptBatch {
  /** Token ids per sample; IMAGE_SENTINEL_ID marks where the image's tokens go. */
  readonly prompts: readonly (readonly number[])[];
  /** [B, 3, S, S] pixels for graphs with images (zeros for text-only samples). */
  readonly pixels?: Float32Array;
}

/**
 * Left-pads a batch so every prompt ends at the last position, expanding each image sentinel into
 * `imageTokens` positions that take the image features.
 */
export function leftPad(
  batch: PromptBatch,
  imageTokens: number,
  padId: number,
  withImages: boolean,
  imageSize = 0,
): Record<string, HostTensor> {
  const B = batch.prompts.length;
  const lengths = batch.prompts.map((p) => p.length + (p.includes(IMAGE_SENTINEL_ID) ? imageTokens - 1 : 0));
  const T = Math.max(...lengths);
  const ids = new BigInt64Array(B * T).fill(BigInt(padId));
  const mask = new BigInt64Array(B * T);
  const imageIndex = new BigInt64Array(B * T);
  const imageMask = new Uint8Array(B * T);
  batch.prompts.forEach((prompt, b) => {
    let t = T - lengths[b];
    for (const id of prompt) {
      if (id === IMAGE_SENTINEL_ID) {
        if (!withImages)
          throw new CoinError(
            'GENERATE.NO_IMAGE_INPUT',
            'INVALID_ARGUMENT',
            `prompt ${b} has an image but the graph takes text only`,
          );
        for (let k = 0; k < imageTokens; k++, t++) {
          mask[b * T + t] = 1n;
          imageMask[b * T + t] = 1;
          imageIndex[b * T + t] = BigInt(b * imageTokens + k);
        }
        continue;
      }
      ids[b * T + t] = BigInt(id);
      mask[b * T + t] = 1n;
      t++;
    }
  });
  const feeds: Record<string, HostTensor> = {
    [VLM_INPUTS.ids]: { dtype: 'int64', dims: [B, T], data: ids },
    [VLM_INPUTS.attention]: { dtype: 'int64', dims: [B, T], data: mask },
  };
  if (withImages) {
    const pixels = batch.pixels ?? new Float32Array(B * 3 * imageSize * imageSize);
    feeds[VLM_INPUTS.pixels] = { dtype: 'float32', dims: [B, 3, imageSize, imageSize], data: pixels };
    feeds[VLM_INPUTS.imageIndex] = { dtype: 'int64', dims: [B, T], data: imageIndex };
    feeds[VLM_INPUTS.imageMask] = { dtype: 'bool', dims: [B, T], data: imageMask };
  }
  return feeds;
}

/**
 * Refuses what ONNX Runtime would only report as a failed kernel: empty prompts, ids outside the
 * vocabulary, more than one image per prompt, pixels of the wrong size.
 */
export function checkPrompts(batch: PromptBatch, vocab: number, pixelsPerImage: number): void {
  const bad = (message: string, hint?: string) =>
    new CoinError('GENERATE.BAD_PROMPT', 'INVALID_ARGUMENT', message, { hint });
  batch.prompts.forEach((prompt, b) => {
    if (prompt.length === 0) throw bad(`prompt ${b} is empty`, 'every prompt needs at least one token (BOS)');
    let images = 0;
    prompt.forEach((id, i) => {
      if (id === IMAGE_SENTINEL_ID) images++;
      else if (!Number.isInteger(id) || id < 0 || id >= vocab)
        throw bad(
          `prompt ${b}, position ${i}: token id ${id} is outside the vocabulary [0, ${vocab})`,
          "encode prompts with the model's own tokenizer",
        );
    });
    if (images > 1) throw bad(`prompt ${b} has ${images} images; a prompt takes at most one`);
    if (images && pixelsPerImage && !batch.pixels)
      throw bad(
        `prompt ${b} has an image but no pixels were given`,
        "pass the batch's pixels [B, 3, S, S] (zeros for text-only samples)",
      );
  });
  if (pixelsPerImage && batch.pixels && batch.pixels.length !== batch.prompts.length * pixelsPerImage) {
    throw bad(
      `pixels hold ${batch.pixels.length} values; batch ${batch.prompts.length} × ${pixelsPerImage} (3 × size × size) expected`,
    );
  }
}

/** Every prompt must start with the shared prefix and go on past it. */
export function checkStartsWith(batch: PromptBatch, prefix: readonly number[]): void {
  const bad = (message: string) =>
    new CoinError('GENERATE.BAD_PROMPT', 'INVALID_ARGUMENT', message, {
      hint: 'build every prompt with the same leading tokens, or create the generator without sharedPrefix',
    });
  batch.prompts.forEach((prompt, b) => {
    const differs = prefix.findIndex((id, i) => prompt[i] !== id);
    if (prompt.length < prefix.length && differs === prompt.length)
      throw bad(
        `prompt ${b} holds ${prompt.length} tokens and ends inside the generator's ${prefix.length}-token shared prefix`,
      );
    if (differs >= 0)
      throw bad(`prompt ${b} does not start with the generator's shared prefix: they differ at position ${differs}`);
    if (prompt.length === prefix.length)
      throw bad(`prompt ${b} ends where the shared prefix ends; it needs at least one token after it`);
  });
}

/** Cuts each sample's tokens at the first end token (excluded), as HF generate's output is then decoded. */
export function untilEos(columns: BigInt64Array, steps: number, batch: number, eosId: number): number[][] {
  return Array.from({ length: batch }, (_, b) => {
    const out: number[] = [];
    for (let s = 0; s < steps; s++) {
      const tok = Number(columns[s * batch + b]);
      if (tok === eosId) break;
      out.push(tok);
    }
    return out;
  });
}

/** Appends one token per sample (a new last position, real, not an image). */
export function appendColumn(feeds: Record<string, HostTensor>, tokens: BigInt64Array): Record<string, HostTensor> {
  const [B, T] = feeds[VLM_INPUTS.ids].dims as number[];
  const grow = (name: string, fill: (b: number) => bigint | number, Kind: typeof BigInt64Array | typeof Uint8Array) => {
    const src = feeds[name];
    if (!src) return undefined;
    const data = new Kind(B * (T + 1));
    for (let b = 0; b < B; b++) {
      (data as Uint8Array).set(src.data.subarray(b * T, (b + 1) * T) as Uint8Array, b * (T + 1));
      (data as unknown as Array<bigint | number>)[b * (T + 1) + T] = fill(b);
    }
    return { dtype: src.dtype, dims: [B, T + 1], data } as HostTensor;
  };
  const out: Record<string, HostTensor> = { ...feeds };
  out[VLM_INPUTS.ids] = grow(VLM_INPUTS.ids, (b) => tokens[b], BigInt64Array)!;
  out[VLM_INPUTS.attention] = grow(VLM_INPUTS.attention, () => 1n, BigInt64Array)!;
  const index = grow(VLM_INPUTS.imageIndex, () => 0n, BigInt64Array);
  const mask = grow(VLM_INPUTS.imageMask, () => 0, Uint8Array);
  if (index && mask) {
    out[VLM_INPUTS.imageIndex] = index;
    out[VLM_INPUTS.imageMask] = mask;
  }
  return out;
}
