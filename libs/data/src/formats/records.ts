/**
 * CoIN's instruction records (COIN.md §2.2, §2.3). Ids keep their JSON type: the scorers key on
 * them, and TextVQA/GQA/ScienceQA ids must equal the official ids exactly.
 */
export type RecordId = string | number;

/** One turn of a LLaVA conversation. CoIN tasks are single-turn: human, then gpt. */
export interface ConversationTurn {
  readonly from: 'human' | 'gpt';
  readonly value: string;
}

/** An element of `train.json` (LLaVA conversation format). */
export interface TrainRecord {
  readonly id: RecordId;
  /** Path relative to the image folder; absent for text-only ScienceQA items. */
  readonly image?: string;
  readonly conversations: readonly ConversationTurn[];
}

/** An element of `test.json` / `val.json`. */
export interface TestRecord {
  readonly question_id: RecordId;
  readonly image?: string;
  /** Question (+ context/options) + "\n" + instruction line; the last line is the instruction. */
  readonly text: string;
  /** Single ground truth (ImageNet, VizWiz, VQAv2, OCR-VQA, judge). */
  readonly answer?: string;
  /** Grounding: "[x1, y1, x2, y2]" with normalised floats. */
  readonly answer_bbox?: string;
  /** Grounding: [width, height] of the original image. */
  readonly size?: readonly [number, number];
  readonly origin_answer_bbox?: string;
}

/** The eight CoIN tasks, in the default training order (COIN.md §1.1). */
export const COIN_TASKS = ['ScienceQA', 'TextVQA', 'ImageNet', 'GQA', 'VizWiz', 'Grounding', 'VQAv2', 'OCRVQA'] as const;
export type CoinTask = (typeof COIN_TASKS)[number];
