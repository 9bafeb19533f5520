import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { CoinError } from '@coin/core';
import {
  type JsonScalar,
  type JsonTokenKind,
  JsonTokenizer,
  type JsonTokenSink,
  malformedJson,
} from './json-tokenizer.js';

/**
 * Streaming JSON readers: the top-level array's elements (CoIN train/test files) or the top-level
 * object's entries (GQA's `*_balanced_questions.json`, ScienceQA's problems.json, OCR-VQA's
 * dataset.json) are yielded one at a time, so memory is bounded by the largest element, not the
 * file. Everything is validated; errors carry file, line and column.
 */
export type TopLevel = 'array' | 'object';

/** An element of the top-level container: `key` is set for objects, `index` counts from 0. */
export interface TopLevelItem {
  readonly key: string | undefined;
  readonly index: number;
  readonly value: unknown;
  /** Where the element starts in the file. */
  readonly line: number;
  readonly column: number;
}

type Expect = 'value' | 'value-or-end' | 'comma-or-end' | 'key' | 'key-or-end' | 'colon' | 'done';

interface Frame {
  readonly kind: TopLevel;
  readonly container: unknown[] | Record<string, unknown> | undefined; // undefined: the streamed root
  expect: Expect;
  key: string | undefined;
}

const DESCRIBE: Readonly<Record<JsonTokenKind, string>> = {
  '{': "'{'",
  '}': "'}'",
  '[': "'['",
  ']': "']'",
  ':': "':'",
  ',': "','",
  string: 'a string',
  number: 'a number',
  literal: 'true/false/null',
};

/** Builds values from tokens; the root container's children are handed to `emit` instead of kept. */
class StreamingBuilder implements JsonTokenSink {
  private readonly stack: Frame[] = [];
  private rootSeen = false;
  private index = 0;
  private itemLine = 0;
  private itemColumn = 0;

  /** Set when streaming the array under one key of a root object (`{"annotations": [...]}`). */
  private selectedSeen = false;

  constructor(
    private readonly source: string,
    private readonly expectRoot: TopLevel | 'any',
    private readonly emit: (item: TopLevelItem) => void,
    private readonly selectKey?: string,
  ) {}

  token(kind: JsonTokenKind, value: JsonScalar | undefined, line: number, column: number): void {
    const at = { line, column };
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) {
      if (this.rootSeen)
        throw malformedJson(this.source, at, `unexpected ${DESCRIBE[kind]} after the end of the top-level value`);
      const want = this.expectRoot === 'any' ? "'[' or '{'" : this.expectRoot === 'array' ? "'['" : "'{'";
      if (
        (kind !== '[' && kind !== '{') ||
        (this.expectRoot === 'array' && kind !== '[') ||
        (this.expectRoot === 'object' && kind !== '{')
      ) {
        throw new CoinError(
          'JSON.UNEXPECTED_TOP_LEVEL',
          'INVALID_ARGUMENT',
          `${this.source}:${line}:${column}: expected the file to start with ${want}, found ${DESCRIBE[kind]}`,
          {
            hint: 'is this the right file?',
            details: { file: this.source, line, column },
          },
        );
      }
      this.rootSeen = true;
      this.stack.push({
        kind: kind === '[' ? 'array' : 'object',
        container: undefined,
        expect: kind === '[' ? 'value-or-end' : 'key-or-end',
        key: undefined,
      });
      return;
    }
    switch (top.expect) {
      case 'value':
      case 'value-or-end':
        if (kind === ']' && top.expect === 'value-or-end') return this.close(top);
        if (top.container === undefined && top.kind === 'array') {
          this.itemLine = line;
          this.itemColumn = column;
        }
        return this.openOrScalar(kind, value, at);
      case 'comma-or-end':
        if (kind === ',') {
          top.expect = top.kind === 'array' ? 'value' : 'key';
          return;
        }
        if ((kind === ']' && top.kind === 'array') || (kind === '}' && top.kind === 'object')) return this.close(top);
        throw malformedJson(
          this.source,
          at,
          `expected ',' or '${top.kind === 'array' ? ']' : '}'}', found ${DESCRIBE[kind]}`,
        );
      case 'key':
      case 'key-or-end':
        if (kind === '}' && top.expect === 'key-or-end') return this.close(top);
        if (kind !== 'string')
          throw malformedJson(this.source, at, `expected an object key (a string), found ${DESCRIBE[kind]}`);
        top.key = value as string;
        top.expect = 'colon';
        if (this.stack.length === 1) {
          this.itemLine = line;
          this.itemColumn = column;
        }
        return;
      case 'colon':
        if (kind !== ':')
          throw malformedJson(
            this.source,
            at,
            `expected ':' after key ${JSON.stringify(top.key)}, found ${DESCRIBE[kind]}`,
          );
        top.expect = 'value';
        return;
      case 'done':
        throw malformedJson(this.source, at, `unexpected ${DESCRIBE[kind]}`);
    }
  }

  /** Throws unless the root value was closed. */
  finish(position: { line: number; column: number }): void {
    if (!this.rootSeen) throw malformedJson(this.source, position, 'the file is empty');
    if (this.stack.length > 0)
      throw malformedJson(
        this.source,
        position,
        `unexpected end of input inside ${this.stack.length} unclosed array(s)/object(s): the file is truncated`,
      );
    if (this.selectKey !== undefined && !this.selectedSeen) {
      throw new CoinError(
        'JSON.KEY_NOT_FOUND',
        'INVALID_ARGUMENT',
        `${this.source}: the top-level object has no key ${JSON.stringify(this.selectKey)}`,
        {
          hint: 'is this the right file?',
          details: { file: this.source, key: this.selectKey },
        },
      );
    }
  }

  private openOrScalar(kind: JsonTokenKind, value: JsonScalar | undefined, at: { line: number; column: number }): void {
    const parent = this.stack[this.stack.length - 1];
    if (this.selectKey !== undefined && this.stack.length === 1 && parent.key === this.selectKey) {
      if (kind !== '[')
        throw malformedJson(
          this.source,
          at,
          `expected an array under key ${JSON.stringify(this.selectKey)}, found ${DESCRIBE[kind]}`,
        );
      this.selectedSeen = true;
      this.index = 0;
      this.stack.push({ kind: 'array', container: undefined, expect: 'value-or-end', key: undefined });
      return;
    }
    if (kind === '[') {
      this.stack.push({ kind: 'array', container: [], expect: 'value-or-end', key: undefined });
    } else if (kind === '{') {
      this.stack.push({ kind: 'object', container: {}, expect: 'key-or-end', key: undefined });
    } else if (kind === 'string' || kind === 'number' || kind === 'literal') {
      this.deliver(value as JsonScalar);
    } else {
      throw malformedJson(this.source, at, `expected a value, found ${DESCRIBE[kind]}`);
    }
  }

  private close(frame: Frame): void {
    this.stack.pop();
    if (frame.container === undefined) {
      // A streamed container: its items were emitted already. Under a selected key, the root goes on.
      const parent = this.stack[this.stack.length - 1];
      if (parent !== undefined) parent.expect = 'comma-or-end';
      return;
    }
    this.deliver(frame.container);
  }

  /** Puts a finished value into its parent, or emits it when the parent is the streamed root. */
  private deliver(value: unknown): void {
    const parent = this.stack[this.stack.length - 1];
    if (parent.container === undefined && this.selectKey !== undefined && this.stack.length === 1) {
      // A root entry other than the selected one (e.g. VQA's "info"): not needed, not kept.
    } else if (parent.container === undefined) {
      this.emit({ key: parent.key, index: this.index++, value, line: this.itemLine, column: this.itemColumn });
    } else if (Array.isArray(parent.container)) {
      parent.container.push(value);
    } else {
      // defineProperty: a "__proto__" key must become data, as with JSON.parse, not a prototype.
      Object.defineProperty(parent.container, parent.key as string, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    parent.expect = 'comma-or-end';
  }
}

/** Parses chunks (already decoded text) and yields the top-level items: the testable core. */
export function* parseJsonChunks(
  chunks: Iterable<string>,
  source: string,
  expectRoot: TopLevel | 'any' = 'any',
  arrayKey?: string,
): Generator<TopLevelItem> {
  const pending: TopLevelItem[] = [];
  const builder = new StreamingBuilder(
    source,
    arrayKey === undefined ? expectRoot : 'object',
    (item) => pending.push(item),
    arrayKey,
  );
  const tokenizer = new JsonTokenizer(builder, source);
  for (const chunk of chunks) {
    tokenizer.write(chunk);
    yield* pending.splice(0);
  }
  tokenizer.end();
  yield* pending.splice(0);
  builder.finish(tokenizer.position());
}

export interface StreamOptions {
  /** Bytes per read; 64 KiB by default. */
  readonly chunkBytes?: number;
  /**
   * Stream the elements of the array under this key of the root object instead of the root's own
   * entries (VQAv2's `{"annotations": [...]}`, TextVQA's `{"data": [...]}`); other keys are skipped.
   */
  readonly arrayKey?: string;
}

/** Streams a JSON file's top-level items (see TopLevelItem). A missing file is NOT_FOUND. */
export async function* streamJsonFile(
  path: string,
  expectRoot: TopLevel | 'any' = 'any',
  options: StreamOptions = {},
): AsyncGenerator<TopLevelItem> {
  await assertFile(path);
  const pending: TopLevelItem[] = [];
  const builder = new StreamingBuilder(
    path,
    options.arrayKey === undefined ? expectRoot : 'object',
    (item) => pending.push(item),
    options.arrayKey,
  );
  const tokenizer = new JsonTokenizer(builder, path);
  // fatal: invalid UTF-8 is malformed input, not silently replaced characters.
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  const stream = createReadStream(path, { highWaterMark: options.chunkBytes ?? 65536 });
  try {
    for await (const chunk of stream) {
      let text: string;
      try {
        text = decoder.decode(chunk as Buffer, { stream: true });
      } catch {
        throw malformedJson(path, tokenizer.position(), 'invalid UTF-8');
      }
      tokenizer.write(text);
      yield* pending.splice(0);
    }
    tokenizer.write(decoder.decode());
    tokenizer.end();
    yield* pending.splice(0);
    builder.finish(tokenizer.position());
  } finally {
    stream.destroy();
  }
}

/** The elements of a file whose top level must be an array. */
export async function* streamJsonArray(path: string, options?: StreamOptions): AsyncGenerator<TopLevelItem> {
  yield* streamJsonFile(path, 'array', options);
}

/** The elements of the array under `key` in a file whose top level is an object. */
export async function* streamJsonArrayAt(
  path: string,
  key: string,
  options?: StreamOptions,
): AsyncGenerator<TopLevelItem> {
  yield* streamJsonFile(path, 'object', { ...options, arrayKey: key });
}

/** The entries of a file whose top level must be an object (key + value). */
export async function* streamJsonObjectEntries(path: string, options?: StreamOptions): AsyncGenerator<TopLevelItem> {
  yield* streamJsonFile(path, 'object', options);
}

/** Files above this are streamed; JSON.parse would need the whole text as one string. */
export const WHOLE_FILE_LIMIT_BYTES = 256 * 1024 * 1024;

/**
 * Reads a whole (small) JSON file. Fast path JSON.parse; on failure the streaming parser re-reads
 * it only to say where the error is.
 */
export async function readJsonFile(path: string): Promise<unknown> {
  const size = await assertFile(path);
  if (size > WHOLE_FILE_LIMIT_BYTES) {
    throw new CoinError('JSON.TOO_LARGE', 'INVALID_ARGUMENT', `${path} is ${size} bytes; read it with streamJsonFile`, {
      details: { file: path, size },
    });
  }
  const raw = await readFile(path, 'utf8');
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    // Walk the text with our parser to locate the error; it throws with line and column.
    for (const _ of parseJsonChunks([text], path)) void _;
    throw malformedJson(path, { line: 1, column: 1 }, (e as Error).message);
  }
}

/** Size of a regular file, or NOT_FOUND naming the path. */
export async function assertFile(path: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new Error('not a regular file');
    return s.size;
  } catch (e) {
    throw new CoinError('FILE.NOT_FOUND', 'NOT_FOUND', `${path} does not exist or is not a file`, {
      cause: e,
      details: { file: path },
    });
  }
}
