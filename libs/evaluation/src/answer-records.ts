import { Rng, writeFileAtomic } from '@coin/core';
import type { RecordId, TestRecord } from '@coin/data';
import { dumpPyJson, type PyValue } from '@coin/metrics';

/** shortuuid's alphabet: digits and letters without the look-alikes 0, 1, I, O, l. */
const ID_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const ID_LENGTH = 22;

/**
 * CoIN's `answer_id` is a random short uuid (docs/file-formats.md#answer-records); ours are drawn
 * from a stream of the run's seed, the task and the model, so that a rerun writes the same bytes.
 */
export function answerIds(seed: number, task: string, modelId: string, count: number): string[] {
  const rng = Rng.for(seed, 'answer-id', task, modelId);
  return Array.from({ length: count }, () =>
    Array.from({ length: ID_LENGTH }, () => ID_ALPHABET[rng.int(ID_ALPHABET.length)]).join(''),
  );
}

export interface AnswerLine {
  readonly record: TestRecord;
  readonly text: string;
  readonly answerId: string;
}

/**
 * Writes `merge.jsonl` as CoIN's runners do (`json.dumps` per line: ", " and ": " separators,
 * non-ASCII escaped), fields in their order, whole or not at all.
 */
export async function writeMergeFile(path: string, lines: readonly AnswerLine[], modelId: string): Promise<void> {
  const out = lines.map(({ record, text, answerId }) =>
    dumpPyJson(
      new Map<string, PyValue>([
        ['question_id', pyId(record.question_id)],
        ['prompt', record.text],
        ['text', text],
        ['answer_id', answerId],
        ['model_id', modelId],
        ['metadata', new Map()],
      ]),
    ),
  );
  await writeFileAtomic(path, out.map((l) => `${l}\n`).join(''));
}

/** A whole-number id stays an int in Python's JSON (a JavaScript number would print as a float). */
function pyId(id: RecordId): PyValue {
  return typeof id === 'number' && Number.isInteger(id) ? BigInt(id) : id;
}
