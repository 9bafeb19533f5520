import { streamJsonArray } from './json-stream.js';
import { writeJsonArrayFile, writeJsonlFile } from './json-writer.js';
import { streamJsonl } from './jsonl.js';
import type { AnswerRecord, CoinTask, RecordId, TestRecord, TrainRecord } from './records.js';
import { checkAnswerRecord, checkTestRecord, checkTrainRecord, recordError } from './validate.js';

/**
 * Reading and writing CoIN's files: train.json, test.json/val.json (JSON arrays) and merge.jsonl.
 * Readers stream and validate every record; ids must be unique within a file, because the scorers
 * key on them.
 */
export async function* readTrainFile(path: string): AsyncGenerator<TrainRecord> {
  const seen = new Set<RecordId>();
  for await (const item of streamJsonArray(path)) {
    const where = { file: path, index: item.index };
    const record = checkTrainRecord(item.value, where);
    if (seen.has(record.id)) throw recordError(where, 'id', `duplicate id ${JSON.stringify(record.id)}`);
    seen.add(record.id);
    yield record;
  }
}

export async function* readTestFile(path: string, task?: CoinTask): AsyncGenerator<TestRecord> {
  const seen = new Set<RecordId>();
  for await (const item of streamJsonArray(path)) {
    const where = { file: path, index: item.index };
    const record = checkTestRecord(item.value, where, task);
    if (seen.has(record.question_id))
      throw recordError(where, 'question_id', `duplicate question_id ${JSON.stringify(record.question_id)}`);
    seen.add(record.question_id);
    yield record;
  }
}

export async function* readAnswerFile(path: string): AsyncGenerator<AnswerRecord> {
  let index = 0;
  for await (const { value, line } of streamJsonl(path))
    yield checkAnswerRecord(value, { file: path, index: index++, line });
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}

/** Validates while writing, so a bad record never reaches disk (and the file is not renamed in). */
export async function writeTrainFile(
  path: string,
  records: Iterable<TrainRecord> | AsyncIterable<TrainRecord>,
): Promise<number> {
  let index = 0;
  return writeJsonArrayFile(
    path,
    checked(records, (r) => checkTrainRecord(r, { file: path, index: index++ })),
  );
}

export async function writeTestFile(
  path: string,
  records: Iterable<TestRecord> | AsyncIterable<TestRecord>,
  task?: CoinTask,
): Promise<number> {
  let index = 0;
  return writeJsonArrayFile(
    path,
    checked(records, (r) => checkTestRecord(r, { file: path, index: index++ }, task)),
  );
}

export async function writeAnswerFile(
  path: string,
  records: Iterable<AnswerRecord> | AsyncIterable<AnswerRecord>,
): Promise<number> {
  let index = 0;
  return writeJsonlFile(
    path,
    checked(records, (r) => checkAnswerRecord(r, { file: path, index: index, line: ++index })),
  );
}

async function* checked<T>(records: Iterable<T> | AsyncIterable<T>, check: (r: T) => unknown): AsyncGenerator<T> {
  for await (const r of records) {
    check(r);
    yield r;
  }
}
