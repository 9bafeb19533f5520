import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { assertFile } from './json-stream.js';
import { parseJsonChunks } from './json-stream.js';
import { malformedJson } from './json-tokenizer.js';

export interface JsonlLine {
  readonly value: unknown;
  /** 1-based line number in the file. */
  readonly line: number;
}

/** Streams a JSONL file line by line; blank lines are skipped; errors carry file, line and column. */
export async function* streamJsonl(path: string): AsyncGenerator<JsonlLine> {
  await assertFile(path);
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text) as unknown;
      } catch {
        throw locateLineError(path, line, text);
      }
      yield { value, line };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

/** Re-reads one bad line with the position-tracking parser to find the column. */
function locateLineError(path: string, line: number, text: string): Error {
  try {
    // Wrap so scalars and objects both parse as one array element.
    for (const _ of parseJsonChunks([`[${text}]`], path, 'array')) void _;
  } catch (e) {
    const column =
      typeof (e as { details?: { column?: unknown } }).details?.column === 'number'
        ? (e as { details: { column: number } }).details.column - 1
        : 1;
    const what = (e as Error).message.replace(/^.*malformed JSON: /, '');
    return malformedJson(path, { line, column: Math.max(1, Math.min(column, text.length + 1)) }, what);
  }
  return malformedJson(path, { line, column: 1 }, 'more than one JSON value on the line');
}
