import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoinError, Rng } from '@coin/core';
import { preprocessImage, SYNTH_LAYOUT } from '@coin/data';
import { collate, IGNORE_INDEX, imageTokens, type ModelConfig, type Tokenizer, vlmBatch } from '@coin/model';
import type { HostTensor } from '@coin/runtime';
import { type CaptionSample, captionSample, expandedLength } from './caption-samples.js';
import { readCaptions } from './world-corpus.js';

/** A pretraining sample with its preprocessed image ([3, S, S], absent for a fact). */
export interface PretrainItem {
  readonly sample: CaptionSample;
  readonly pixels?: Float32Array;
}

export interface PretrainSet {
  readonly train: readonly PretrainItem[];
  /** Image captions held out (seeded): the reported caption loss. */
  readonly heldOut: readonly PretrainItem[];
  /** The one (batch, seq) bucket's length: the longest expanded sample, capped at maxSeq. */
  readonly seq: number;
  /** Samples longer than maxSeq, cut by the collator (counted; 0 on the default world). */
  readonly truncated: number;
}

/**
 * Reads, tokenises and preprocesses the whole corpus once (the default world's images take tens of
 * MB as float32), and splits off a seeded held-out set of image captions.
 */
export async function loadPretrainSet(
  dataDir: string,
  tokenizer: Tokenizer,
  config: ModelConfig,
  seed: number,
  heldOutFraction: number,
): Promise<PretrainSet> {
  const lines = await readCaptions(dataDir);
  const size = config.vision.imageSize;
  const items: PretrainItem[] = [];
  for (const line of lines) {
    const sample = captionSample(line, tokenizer);
    if (line.image === undefined) {
      items.push({ sample });
      continue;
    }
    const path = join(dataDir, SYNTH_LAYOUT.images, line.image);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (cause) {
      throw new CoinError('PRETRAIN.NO_DATA', 'NOT_FOUND', `caption ${line.id}: cannot read its image ${path}`, {
        cause,
      });
    }
    items.push({ sample, pixels: await preprocessImage(bytes, { size, mode: 'pad' }, path) });
  }
  const n = imageTokens(config.vision);
  const longest = Math.max(...items.map((it) => expandedLength(it.sample.inputIds, n)));
  const seq = Math.min(config.decoder.maxSeq, longest);
  const truncated = items.filter((it) => expandedLength(it.sample.inputIds, n) > seq).length;

  const captions = items.map((it, i) => i).filter((i) => items[i].pixels !== undefined);
  const heldCount = Math.max(1, Math.round(captions.length * heldOutFraction));
  const held = new Set(Rng.for(seed, 'pretrain-held-out').shuffle(captions).slice(0, heldCount));
  return {
    train: items.filter((_, i) => !held.has(i)),
    heldOut: items.filter((_, i) => held.has(i)),
    seq,
    truncated,
  };
}

/** A row that fills an incomplete last batch: one pad id, no label, no image. */
function paddingItem(padId: number): PretrainItem {
  return { sample: { id: '', inputIds: [padId], labels: [IGNORE_INDEX] } };
}

/** The feeds of one [batch, seq] step; fewer items than `batch` are padded with all-ignored rows. */
export function pretrainBatch(
  items: readonly PretrainItem[],
  batch: number,
  seq: number,
  config: ModelConfig,
  padId: number,
): Record<string, HostTensor> {
  const rows = [...items];
  while (rows.length < batch) rows.push(paddingItem(padId));
  const size = config.vision.imageSize;
  const plane = 3 * size * size;
  const pixels = new Float32Array(batch * plane); // [B, 3, S, S]; zeros for facts and padding
  rows.forEach((it, b) => {
    if (it.pixels) pixels.set(it.pixels, b * plane);
  });
  const n = imageTokens(config.vision);
  const collated = collate(
    rows.map((it) => it.sample),
    { padId, maxLength: seq, imageTokens: n },
  );
  return vlmBatch(collated, pixels, size, n, seq, padId).feeds;
}

/** Labelled positions of a batch after the shift (what the mean loss divides by). */
export function labelledPositions(items: readonly PretrainItem[]): number {
  return items.reduce((n, it) => n + it.sample.labels.slice(1).filter((l) => l !== IGNORE_INDEX).length, 0);
}

/**
 * Seeded epochs: each epoch visits every training item once in a fresh order (Rng per epoch),
 * cut into batches; steps run on across epochs. Same seed → same batches.
 */
export function* epochBatches(items: readonly PretrainItem[], batch: number, seed: number): Generator<PretrainItem[]> {
  for (let epoch = 0; ; epoch++) {
    const order = Rng.for(seed, 'pretrain-epoch', epoch).shuffle(items);
    for (let i = 0; i + batch <= order.length; i += batch) yield order.slice(i, i + batch);
    if (order.length < batch) yield order;
  }
}
