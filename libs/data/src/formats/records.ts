/**
 * CoIN's instruction records (docs/file-formats.md#training-records, docs/file-formats.md#test-records). Ids keep their JSON type: the scorers key on
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

/** The eight CoIN tasks, in the default training order (docs/protocol.md#tasks-and-order). */
export const COIN_TASKS = [
  'ScienceQA',
  'TextVQA',
  'ImageNet',
  'GQA',
  'VizWiz',
  'Grounding',
  'VQAv2',
  'OCRVQA',
] as const;
export type CoinTask = (typeof COIN_TASKS)[number];

/** The instruction-file folder names of the three variants (docs/file-formats.md#folder-layout, docs/protocol.md#instruction-templates). */
export const INSTRUCTION_VARIANTS = ['original', 'diverse', '10type'] as const;
export type InstructionVariant = (typeof INSTRUCTION_VARIANTS)[number];
export const VARIANT_FOLDERS: Readonly<Record<InstructionVariant, string>> = {
  original: 'Instructions_Original',
  diverse: 'Instructions_Diverse',
  '10type': 'Instructions_10Type',
};

/** The evaluation file each task's scripts read (docs/protocol.md#tasks-and-order): val.json for TextVQA, VizWiz, VQAv2. */
export const TEST_FILE_OF_TASK: Readonly<Record<CoinTask, 'test.json' | 'val.json'>> = {
  ScienceQA: 'test.json',
  TextVQA: 'val.json',
  ImageNet: 'test.json',
  GQA: 'test.json',
  VizWiz: 'val.json',
  Grounding: 'test.json',
  VQAv2: 'val.json',
  OCRVQA: 'test.json',
};

/** Tasks whose scorer compares against the test record's single `answer` (docs/file-formats.md#test-records). */
export const TASKS_WITH_SINGLE_ANSWER: ReadonlySet<CoinTask> = new Set(['ImageNet', 'VizWiz', 'VQAv2', 'OCRVQA']);

/** One line of an evaluation runner's `merge.jsonl` (docs/file-formats.md#answer-records). */
export interface AnswerRecord {
  readonly question_id: RecordId;
  /** The question text as given to the model. */
  readonly prompt: string;
  /** The model's output, post-processed. */
  readonly text: string;
  /** A random short id. */
  readonly answer_id: string;
  /** The checkpoint directory name. */
  readonly model_id: string;
  readonly metadata: Readonly<Record<string, unknown>>;
}
