import type { CoinTask, RecordId } from '../../formats/records.js';
import type { Rng } from '@coin/core';

export type Split = 'train' | 'test';

/** What every generator gets: its own random stream plus the run's parameters. */
export interface GenContext {
  readonly rng: Rng;
  readonly split: Split;
  /** Index of the item within its split; ids are derived from it. */
  readonly index: number;
  /** Longer image side in pixels. */
  readonly imageSize: number;
}

/**
 * One generated question. `prompt` is the question part (with ScienceQA's context and options)
 * without the instruction line; the record writer appends the variant's instruction. Grounding is
 * the exception: its instruction wraps the referring sentence, so `prompt` is the bare sentence.
 */
export interface SynthItem {
  readonly id: RecordId;
  /** Relative to the image folder (`<out>/cl_dataset`, CoIN's --image_folder). */
  readonly imagePath?: string;
  /** Renders the image (PNG bytes); lazy, so items dropped by the volume fraction cost no drawing. */
  readonly renderImage?: () => Buffer;
  readonly prompt: string;
  readonly answer: string;
  /** Grounding only: [width, height] of the image. */
  readonly size?: readonly [number, number];
  /** Data for the task's official annotation file (ScienceQA problem, TextVQA/GQA entry). */
  readonly official?: Readonly<Record<string, unknown>>;
  /** A plain-language caption of the image, for the pretraining corpus. */
  readonly caption?: string;
}

export type TaskGenerator = (ctx: GenContext) => SynthItem;

export const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Per-split numeric id offsets: test ids never collide with train ids (train N < 5,000,000). */
export function idOffset(split: Split): number {
  return split === 'train' ? 1 : 5_000_001;
}

export type TaskGenerators = Readonly<Record<CoinTask, TaskGenerator>>;
