import type { CoinTask, RecordId, TestRecord, TrainRecord } from './records.js';
import { IMAGE_TOKEN } from './validate.js';

/** What a CoIN record is made of, whichever source (official archives or CoIN-Synth) it came from. */
export interface RecordParts {
  readonly id: RecordId;
  /** Image path relative to CoIN's image folder; absent for text-only items. */
  readonly image?: string;
  /** The rendered prompt (templates.ts), without the image token. */
  readonly prompt: string;
  readonly answer: string;
  /** Grounding: [width, height] of the original image. */
  readonly size?: readonly [number, number];
}

/** A train.json record: the image token opens the human turn when there is an image. */
export function buildTrainRecord(p: RecordParts): TrainRecord {
  return {
    id: p.id,
    ...(p.image === undefined ? {} : { image: p.image }),
    conversations: [
      { from: 'human', value: p.image === undefined ? p.prompt : `${IMAGE_TOKEN}\n${p.prompt}` },
      { from: 'gpt', value: p.answer },
    ],
  };
}

/** A test-file record: Grounding's answer is `answer_bbox` with the image `size`, the others' `answer`. */
export function buildTestRecord(task: CoinTask, p: RecordParts): TestRecord {
  const base = { question_id: p.id, ...(p.image === undefined ? {} : { image: p.image }), text: p.prompt };
  if (task === 'Grounding') return { ...base, answer_bbox: p.answer, ...(p.size ? { size: p.size } : {}) };
  return { ...base, answer: p.answer };
}
