import { readdir, stat } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { CoinError } from '@coin/core';
import type { CoinTask, RecordId } from '../formats/records.js';
import { imageFileProblem } from '../images/verify.js';
import type { ValidationReportBuilder } from '../prep/validation-report.js';

/**
 * What every dataset reader produces: task-neutral source items that the converter renders into
 * CoIN records with the chosen instruction variant (readers/convert.ts).
 */
export type SourceSplit = 'train' | 'test';

export interface SourceItem {
  /** CoIN id: `id` in train.json, `question_id` in test.json (type kept: scorers key on it). */
  readonly id: RecordId;
  /** Image path relative to CoIN's image folder (cl_dataset), e.g. "GQA/images/n1.jpg"; absent for text-only items. */
  readonly image?: string;
  /** Where the image must exist on this machine (checked before the record is written). */
  readonly imageFile?: string;
  /** The question part of the prompt (ScienceQA: question, context and options; Grounding: the sentence). */
  readonly question: string;
  /** The answer: option letter, short answer, class name, or "[x1, y1, x2, y2]" box. */
  readonly answer: string;
  /** Grounding test items: [width, height] of the original image. */
  readonly size?: readonly [number, number];
}

/** A file to copy into the output beside the images (official annotations the scorers read). */
export interface CopiedFile {
  readonly from: string;
  /** Relative to --out, e.g. "cl_dataset/GQA/testdev_balanced_questions.json". */
  readonly to: string;
}

/** A symbolic link made in the output so CoIN's relative image paths resolve to the raw images. */
export interface ImageLink {
  /** Relative to --out, e.g. "cl_dataset/GQA/images". */
  readonly at: string;
  /** Absolute path of the raw image folder. */
  readonly target: string;
}

export interface OpenedSource {
  /** The dataset name as given to `coin prep` (e.g. "RefCOCO+"). */
  readonly dataset: string;
  readonly task: CoinTask;
  /** Streams one split's items; malformed source records are reported to `report` and skipped. */
  items(split: SourceSplit, report: ValidationReportBuilder): AsyncIterable<SourceItem>;
  readonly copies: readonly CopiedFile[];
  readonly links: readonly ImageLink[];
  /** Facts worth writing in the report (which files were read, layout variant). */
  readonly notes: readonly string[];
}

export interface OpenOptions {
  /** Folder with the images when they are not under --raw (COCO train2014 for RefCOCO, VQAv2). */
  readonly images?: string;
}

/** One requirement: any of `candidates` (relative to raw) will do; the first that exists wins. */
export interface Expected {
  readonly what: string;
  readonly candidates: readonly string[];
  readonly kind?: 'file' | 'dir';
}

async function exists(path: string, kind: 'file' | 'dir'): Promise<boolean> {
  try {
    const s = await stat(path);
    return kind === 'file' ? s.isFile() : s.isDirectory();
  } catch {
    return false;
  }
}

/**
 * Finds each expected file among its official variants. Everything missing is reported at once,
 * naming the files that were looked for, so one run tells the user all that is wrong.
 */
export async function locate<K extends string>(
  dataset: string,
  raw: string,
  expected: Readonly<Record<K, Expected>>,
): Promise<Record<K, string>> {
  if (!(await exists(raw, 'dir'))) {
    throw new CoinError('PREP.RAW_NOT_FOUND', 'INVALID_ARGUMENT', `--raw ${raw} is not a directory`, {
      hint: `point --raw at the ${dataset} folder as its official archive unpacks`,
      details: { raw },
    });
  }
  const found = {} as Record<K, string>;
  const missing: string[] = [];
  for (const key of Object.keys(expected) as K[]) {
    const e = expected[key];
    const hit = await firstExisting(raw, e.candidates, e.kind ?? 'file');
    if (hit === undefined) missing.push(`  ${e.what}: ${e.candidates.join(' or ')}`);
    else found[key] = hit;
  }
  if (missing.length > 0) {
    throw new CoinError(
      'PREP.SOURCE_FILES_MISSING',
      'NOT_FOUND',
      `${dataset}: expected files are missing under ${raw}:\n${missing.join('\n')}`,
      {
        hint: `--raw must be the ${dataset} folder as its official archives unpack (paths above are relative to it)`,
        details: { raw, missing },
      },
    );
  }
  return found;
}

/** The first existing of several optional paths, or undefined. */
export async function firstExisting(
  raw: string,
  candidates: readonly string[],
  kind: 'file' | 'dir' = 'file',
): Promise<string | undefined> {
  for (const c of candidates) {
    const full = c.startsWith('/') ? c : join(raw, c);
    if (await exists(full, kind)) return full;
  }
  return undefined;
}

/** What prep found at an item's image path. */
export type ImageState =
  | { readonly ok: true }
  | { readonly ok: false; readonly problem: 'missing' | 'corrupt'; readonly reason?: string };

/**
 * Checks that images exist, listing each folder once (a stat per image would be a million system
 * calls for ImageNet), and that each decodes whole: a truncated or garbage file would otherwise
 * pass as fine and fail training hours later. Each file is checked once however many records
 * share it (GQA asks dozens of questions per image).
 */
export class ImageChecker {
  private readonly listings = new Map<string, Promise<Set<string>>>();
  private readonly states = new Map<string, Promise<ImageState>>();

  async exists(file: string): Promise<boolean> {
    const dir = dirname(file);
    let listing = this.listings.get(dir);
    if (listing === undefined) {
      listing = readdir(dir).then(
        (names) => new Set(names),
        () => new Set<string>(),
      );
      this.listings.set(dir, listing);
    }
    return (await listing).has(basename(file));
  }

  /** Starts checking `file` (if not already) and resolves with what was found. */
  check(file: string): Promise<ImageState> {
    let state = this.states.get(file);
    if (state === undefined) {
      state = this.inspect(file);
      this.states.set(file, state);
    }
    return state;
  }

  private async inspect(file: string): Promise<ImageState> {
    if (!(await this.exists(file))) return { ok: false, problem: 'missing' };
    const reason = await imageFileProblem(file);
    return reason === undefined ? { ok: true } : { ok: false, problem: 'corrupt', reason };
  }
}

/** Where a source record came from, for the report. */
export function at(file: string, index: number | string): string {
  return `${file} [${typeof index === 'number' ? index : JSON.stringify(index)}]`;
}

export { isObject } from '@coin/core';

/** The most frequent answer; ties go to the one given first (10 human answers in VQA-style data). */
export function majorityAnswer(answers: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1);
  let best: string | undefined;
  let bestCount = 0;
  for (const [a, n] of counts) {
    if (n > bestCount) {
      best = a;
      bestCount = n;
    }
  }
  return best;
}

/** The file parses but is not shaped like the official format. */
export function sourceFormatError(file: string, what: string): CoinError {
  return new CoinError('PREP.SOURCE_FORMAT', 'INVALID_ARGUMENT', `${file}: ${what}`, {
    hint: 'is this the official file of the dataset?',
    details: { file },
  });
}
