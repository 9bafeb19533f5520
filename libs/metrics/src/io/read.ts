/**
 * Reading scorer inputs the way the Python scripts do: `json.load(open(f))` and
 * `[json.loads(line) for line in open(f)]` (universal newlines: \n, \r\n and \r all end a line;
 * strict UTF-8). Failures become CoinErrors naming the file and line.
 */
import { readFileSync } from 'node:fs';
import { CoinError } from '@coin/core';
import { parsePyJson, PyJsonSyntaxError, type PyValue } from '../python/json.js';
import { badInput, type Source } from './errors.js';

export interface JsonRecord {
  readonly value: PyValue;
  readonly src: Source;
}

function readText(file: string, what: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CoinError(
      'METRICS.FILE_NOT_READABLE',
      'INVALID_ARGUMENT',
      `cannot read the ${what} ${file} (${code ?? String(e)})`,
      {
        hint: `check the path given for the ${what}`,
        details: { file },
      },
    );
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw badInput({ file }, `the ${what} is not valid UTF-8`, 'crash with UnicodeDecodeError');
  }
}

/** Line and column (1-based) of a character offset. */
function lineOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < offset && k < text.length; k += 1) {
    const c = text.charCodeAt(k);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(k + 1) !== 0x0a)) {
      line += 1;
      lineStart = k + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** `json.load(open(file))`. */
export function readPyJsonFile(file: string, what: string): PyValue {
  const text = readText(file, what);
  try {
    return parsePyJson(text);
  } catch (e) {
    if (!(e instanceof PyJsonSyntaxError)) throw e;
    const { line, column } = lineOf(text, e.position);
    throw badInput(
      { file, line },
      `the ${what} is not valid JSON: ${e.message} (column ${column})`,
      'crash with json.JSONDecodeError',
    );
  }
}

/** Universal-newline line splitting, as Python's text-mode iteration does. The last empty piece is dropped. */
function splitPyLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * `[json.loads(line) for line in open(file)]`. A blank line is an error, as in Python
 * (`allowBlankLines` skips whitespace-only lines instead; the strict scorers use it).
 */
export function readPyJsonLines(file: string, what: string, allowBlankLines = false): JsonRecord[] {
  const text = readText(file, what);
  const records: JsonRecord[] = [];
  const lines = splitPyLines(text);
  for (let k = 0; k < lines.length; k += 1) {
    const src: Source = { file, line: k + 1 };
    if (allowBlankLines && /^[ \t\r\n]*$/.test(lines[k])) continue;
    try {
      records.push({ value: parsePyJson(lines[k]), src });
    } catch (e) {
      if (!(e instanceof PyJsonSyntaxError)) throw e;
      const what2 = lines[k].trim() === '' ? 'a blank line' : `not valid JSON: ${e.message} (column ${e.position + 1})`;
      throw badInput(
        src,
        `${what2}; each line of the ${what} must be one JSON object`,
        'crash with json.JSONDecodeError',
      );
    }
  }
  return records;
}
