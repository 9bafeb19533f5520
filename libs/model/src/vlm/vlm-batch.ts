import { CoinError } from '@coin/core';
import type { HostTensor } from '@coin/runtime';
import type { CollatedBatch } from '../prompt/collate.js';
import { IGNORE_INDEX } from '../prompt/image-tokens.js';

/** Graph inputs of the vision-language model, by name. */
export const VLM_INPUTS = {
  pixels: 'pixel_values', // [B, 3, S, S] float32, CLIP-normalised
  ids: 'input_ids', // [B, T] int64
  labels: 'labels', // [B, T] int64, −100 = no loss
  attention: 'attention_mask', // [B, T] int64, 1 = real token
  imageIndex: 'image_index', // [B, T] int64: row of the flattened [B·N, C] image features
  imageMask: 'image_mask', // [B, T] bool: take the image feature instead of the token embedding
} as const;

export interface VlmBatch {
  readonly feeds: Record<string, HostTensor>;
  /** Per sample, the real (unpadded) length after expanding the image. */
  readonly lengths: Int32Array;
}

/**
 * Expands each sample's image sentinel into the N image positions LLaVA splices in, and pads the
 * batch to the bucket length `seq`. Image positions get label −100 and point (image_index) at that
 * sample's features; text-only samples have no image positions, and their pixels are zeros.
 */
export function vlmBatch(
  c: CollatedBatch,
  pixels: Float32Array,
  imageSize: number,
  imageTokens: number,
  seq: number,
  padId: number,
): VlmBatch {
  const B = c.batchSize;
  if (pixels.length !== B * 3 * imageSize * imageSize) {
    throw new CoinError(
      'MODEL.BAD_BATCH',
      'INVALID_ARGUMENT',
      `pixel buffer holds ${pixels.length} values, expected ${B}×3×${imageSize}×${imageSize}`,
    );
  }
  const ids = new BigInt64Array(B * seq).fill(BigInt(padId));
  const labels = new BigInt64Array(B * seq).fill(BigInt(IGNORE_INDEX));
  const attention = new BigInt64Array(B * seq);
  const imageIndex = new BigInt64Array(B * seq);
  const imageMask = new Uint8Array(B * seq);
  const lengths = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const imagePos = c.imagePositions[b];
    const len = c.lengths[b] + (imagePos >= 0 ? imageTokens - 1 : 0);
    if (len > seq) {
      throw new CoinError(
        'MODEL.SEQUENCE_TOO_LONG',
        'INVALID_ARGUMENT',
        `sample ${b} needs ${len} positions (with ${imageTokens} image tokens), the bucket holds ${seq}`,
        {
          hint: 'collate with maxLength = the bucket length and imageTokens = N: it truncates as LLaVA does and counts the cuts',
        },
      );
    }
    lengths[b] = len;
    let t = 0;
    for (let s = 0; s < c.lengths[b]; s++) {
      const src = b * c.seqLen + s;
      if (s === imagePos) {
        for (let k = 0; k < imageTokens; k++, t++) {
          imageMask[b * seq + t] = 1;
          imageIndex[b * seq + t] = BigInt(b * imageTokens + k);
          attention[b * seq + t] = 1n;
        }
        continue;
      }
      ids[b * seq + t] = BigInt(c.inputIds[src] < 0 ? padId : c.inputIds[src]);
      labels[b * seq + t] = BigInt(c.labels[src]);
      attention[b * seq + t] = 1n;
      t++;
    }
  }
  const bt = [B, seq];
  return {
    lengths,
    feeds: {
      [VLM_INPUTS.pixels]: { dtype: 'float32', dims: [B, 3, imageSize, imageSize], data: pixels },
      [VLM_INPUTS.ids]: { dtype: 'int64', dims: bt, data: ids },
      [VLM_INPUTS.labels]: { dtype: 'int64', dims: bt, data: labels },
      [VLM_INPUTS.attention]: { dtype: 'int64', dims: bt, data: attention },
      [VLM_INPUTS.imageIndex]: { dtype: 'int64', dims: bt, data: imageIndex },
      [VLM_INPUTS.imageMask]: { dtype: 'bool', dims: bt, data: imageMask },
    },
  };
}
