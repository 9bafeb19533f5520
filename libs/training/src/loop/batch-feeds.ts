import type { TrainRecord } from '@coin/data';
import { collate, IGNORE_INDEX, imageTokens, type ModelConfig, vlmBatch } from '@coin/model';
import type { HostTensor } from '@coin/runtime';
import type { StageBatch } from '../methods/method.js';
import type { ImageStore, PreparedSample } from './samples.js';

/**
 * The graph inputs of one micro-batch of `batch` rows: the real samples, then padding rows that
 * repeat the first sample with every label ignored (a row of nothing but padding would give the
 * attention an all-masked row; a repeated row costs the same and adds no loss).
 */
export async function buildMicroBatch(
  rows: readonly PreparedSample[],
  batch: number,
  seq: number,
  config: ModelConfig,
  padId: number,
  images: ImageStore,
): Promise<StageBatch> {
  const padded = [...rows];
  while (padded.length < batch)
    padded.push({ ...rows[0], labels: rows[0].labels.map(() => IGNORE_INDEX), sample: rows[0].sample });
  const c = collate(padded, { padId, maxLength: seq });
  const size = config.vision.imageSize;
  const plane = 3 * size * size;
  const pixels = new Float32Array(batch * plane); // [B, 3, S, S]
  // All rows' images at once: their reads and decodes run side by side on libuv's threads.
  await Promise.all(
    padded.map(async (row, b) => {
      const image = (row.sample.record as TrainRecord).image;
      if (image !== undefined) pixels.set(await images.pixels(image), b * plane);
    }),
  );
  const vb = vlmBatch(c, pixels, size, imageTokens(config.vision), seq, padId);
  const feeds: Record<string, HostTensor> = vb.feeds;
  return { batch, seq, feeds, samples: rows.map((r) => r.sample) };
}
