import { CoinError } from '@coin/core';
import {
  type AnswerRecord,
  COIN_TASKS,
  type CoinTask,
  type RecordId,
  TASKS_WITH_SINGLE_ANSWER,
  type TestRecord,
  type TrainRecord,
} from './records.js';

/**
 * Checks of CoIN records (docs/file-formats.md#training-records, docs/file-formats.md#test-records, docs/protocol.md#evaluation-runner). Each failure names the file, the record's
 * index in it and the field, so a researcher can open the file at the right place. Unknown extra
 * fields are kept: LLaVA tooling adds its own and the scorers ignore them.
 */
export interface RecordLocation {
  readonly file: string;
  /** 0-based index in the array, or line number for JSONL (then `line` is set). */
  readonly index: number;
  readonly line?: number;
}

export const IMAGE_TOKEN = '<image>';
const BBOX_STRING = /^\[\s*(-?\d+(\.\d+)?([eE][+-]?\d+)?)\s*(,\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*){3}\]$/;

export function recordError(where: RecordLocation, field: string, problem: string): CoinError {
  const at = where.line === undefined ? `record ${where.index}` : `line ${where.line}`;
  return new CoinError('RECORD.INVALID', 'INVALID_ARGUMENT', `${where.file}: ${at}: field "${field}": ${problem}`, {
    hint: 'see docs/file-formats.md#training-records (train records), docs/file-formats.md#test-records (test records) and docs/file-formats.md#answer-records (answer records)',
    details: { file: where.file, index: where.index, line: where.line, field },
  });
}

function asObject(value: unknown, where: RecordLocation): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw recordError(where, '(record)', `expected an object, found ${describe(value)}`);
  return value as Record<string, unknown>;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function checkId(record: Record<string, unknown>, field: string, where: RecordLocation): RecordId {
  const id = record[field];
  if (typeof id === 'string' && id.length > 0) return id;
  if (typeof id === 'number' && Number.isFinite(id)) return id;
  throw recordError(
    where,
    field,
    id === undefined ? 'missing' : `expected a non-empty string or a number, found ${describe(id)}`,
  );
}

function optionalString(record: Record<string, unknown>, field: string, where: RecordLocation): string | undefined {
  const v = record[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0)
    throw recordError(where, field, `expected a non-empty string, found ${describe(v)}`);
  return v;
}

function requiredString(
  record: Record<string, unknown>,
  field: string,
  where: RecordLocation,
  allowEmpty = false,
): string {
  const v = record[field];
  if (v === undefined) throw recordError(where, field, 'missing');
  if (typeof v !== 'string' || (!allowEmpty && v.length === 0))
    throw recordError(where, field, `expected a ${allowEmpty ? '' : 'non-empty '}string, found ${describe(v)}`);
  return v;
}

/** A training record: single- or multi-turn, human first, turns alternating, `<image>` iff image. */
export function checkTrainRecord(value: unknown, where: RecordLocation): TrainRecord {
  const record = asObject(value, where);
  checkId(record, 'id', where);
  const image = optionalString(record, 'image', where);
  const turns = record.conversations;
  if (!Array.isArray(turns))
    throw recordError(
      where,
      'conversations',
      turns === undefined ? 'missing' : `expected an array, found ${describe(turns)}`,
    );
  if (turns.length < 2)
    throw recordError(
      where,
      'conversations',
      `expected at least a human and a gpt turn, found ${turns.length} turn(s)`,
    );
  turns.forEach((turn: unknown, i) => {
    const field = `conversations[${i}]`;
    if (typeof turn !== 'object' || turn === null || Array.isArray(turn))
      throw recordError(where, field, `expected {from, value}, found ${describe(turn)}`);
    const { from, value: text } = turn as Record<string, unknown>;
    const expected = i % 2 === 0 ? 'human' : 'gpt';
    if (from !== expected)
      throw recordError(
        where,
        `${field}.from`,
        `expected "${expected}" (turns alternate, human first), found ${describe(from)}`,
      );
    if (typeof text !== 'string')
      throw recordError(where, `${field}.value`, `expected a string, found ${describe(text)}`);
    if (i > 0 && text.includes(IMAGE_TOKEN))
      throw recordError(where, `${field}.value`, `${IMAGE_TOKEN} may appear only in the first human turn`);
  });
  const first = (turns[0] as { value: string }).value;
  if (image !== undefined && !first.includes(IMAGE_TOKEN))
    throw recordError(
      where,
      'conversations[0].value',
      `the record has an image but the human turn has no ${IMAGE_TOKEN} token`,
    );
  if (image === undefined && first.includes(IMAGE_TOKEN))
    throw recordError(
      where,
      'conversations[0].value',
      `the human turn has an ${IMAGE_TOKEN} token but the record has no image (text-only items must not)`,
    );
  return record as unknown as TrainRecord;
}

/** Parses a Grounding box string "[x1, y1, x2, y2]" (docs/file-formats.md#test-records); undefined when malformed. */
export function parseBoxString(text: string): [number, number, number, number] | undefined {
  if (!BBOX_STRING.test(text)) return undefined;
  const numbers = text
    .slice(1, -1)
    .split(',')
    .map((s) => Number(s.trim()));
  return [numbers[0], numbers[1], numbers[2], numbers[3]];
}

/**
 * A test record. With `task`, also the task's own requirements: Grounding needs `answer_bbox` +
 * `size`; the single-answer tasks need `answer`.
 */
export function checkTestRecord(value: unknown, where: RecordLocation, task?: CoinTask): TestRecord {
  const record = asObject(value, where);
  checkId(record, 'question_id', where);
  optionalString(record, 'image', where);
  requiredString(record, 'text', where);
  if (record.answer !== undefined && typeof record.answer !== 'string')
    throw recordError(where, 'answer', `expected a string, found ${describe(record.answer)}`);
  const bbox = optionalString(record, 'answer_bbox', where);
  if (bbox !== undefined && parseBoxString(bbox) === undefined)
    throw recordError(where, 'answer_bbox', `expected "[x1, y1, x2, y2]" with 4 numbers, found ${describe(bbox)}`);
  const size = record.size;
  if (size !== undefined) {
    const ok = Array.isArray(size) && size.length === 2 && size.every((n) => Number.isInteger(n) && (n as number) > 0);
    if (!ok)
      throw recordError(
        where,
        'size',
        `expected [width, height] with positive integers, found ${JSON.stringify(size)}`,
      );
  }
  optionalString(record, 'origin_answer_bbox', where);
  if (task === 'Grounding' || bbox !== undefined) {
    if (bbox === undefined) throw recordError(where, 'answer_bbox', 'missing (Grounding test records carry the box)');
    if (size === undefined)
      throw recordError(where, 'size', 'missing (Grounding test records carry [width, height] with the box)');
  }
  if (task !== undefined && TASKS_WITH_SINGLE_ANSWER.has(task) && record.answer === undefined)
    throw recordError(where, 'answer', `missing (the ${task} scorer compares with it)`);
  return record as unknown as TestRecord;
}

/** A line of merge.jsonl. */
export function checkAnswerRecord(value: unknown, where: RecordLocation): AnswerRecord {
  const record = asObject(value, where);
  checkId(record, 'question_id', where);
  requiredString(record, 'prompt', where, true);
  requiredString(record, 'text', where, true);
  requiredString(record, 'answer_id', where, true);
  requiredString(record, 'model_id', where, true);
  const metadata = record.metadata;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    throw recordError(
      where,
      'metadata',
      metadata === undefined ? 'missing' : `expected an object, found ${describe(metadata)}`,
    );
  return record as unknown as AnswerRecord;
}

export function isCoinTask(name: string): name is CoinTask {
  return (COIN_TASKS as readonly string[]).includes(name);
}
