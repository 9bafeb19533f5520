import type { PyValue } from '../python/json.js';
import type { JsonRecord } from '../io/read.js';
import type { Source } from '../io/errors.js';

/**
 * `coin` reproduces CoIN's released scorer exactly (quirks included); `strict` fixes the items the
 * spec marks BUG? (each scorer's doc comment lists its differences).
 */
export type Fidelity = 'coin' | 'strict';
export const FIDELITIES: readonly Fidelity[] = ['coin', 'strict'];

export const TASKS = ['ScienceQA', 'TextVQA', 'ImageNet', 'GQA', 'VizWiz', 'Grounding', 'VQAv2', 'OCRVQA'] as const;
export type TaskName = (typeof TASKS)[number];

/** One scored item. score is 0..1 (TextVQA's soft accuracy can be a fraction). */
export interface ItemVerdict {
  readonly id: string;
  readonly prediction: string;
  readonly expected: string;
  readonly score: number;
  /** Why the item scored 0 without a comparison (unparsable box, "Unanswerable" skip, missing prediction). */
  readonly note?: string;
}

/** A file the original script writes next to its results (`append` for GQA's Result.text). */
export interface OutputFile {
  readonly name: string;
  readonly content: string;
  readonly mode: 'write' | 'append';
}

export interface ScoreReport {
  readonly task: TaskName;
  readonly fidelity: Fidelity;
  /** Items in the accuracy's denominator. */
  readonly samples: number;
  /** Items counted correct; null where the score is a soft accuracy (TextVQA). */
  readonly correct: number | null;
  /** Percent, at full double precision, computed with the original's operation order. */
  readonly accuracy: number;
  /** Exactly what the original script prints to stdout. */
  readonly stdout: string;
  readonly files: readonly OutputFile[];
  readonly verdicts: readonly ItemVerdict[];
}

/** A parsed JSON document and where it came from. */
export interface JsonDoc {
  readonly value: PyValue;
  readonly src: Source;
}

/** The lines of a merge.jsonl (one answer record per line) and the file they came from. */
export interface Predictions {
  readonly file: string;
  readonly records: readonly JsonRecord[];
}
