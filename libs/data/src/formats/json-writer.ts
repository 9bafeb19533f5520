import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { once } from 'node:events';
import { tempPathBeside } from '../prep/atomic-write.js';

/**
 * Streaming writers for JSON arrays (CoIN train/test files, one element per line) and JSONL
 * (merge.jsonl). Output goes to a temp file beside the target and is renamed on `commit()`; an
 * error or `abort()` removes the temp file, so the target is either complete or untouched.
 */
abstract class AtomicStreamWriter {
  private readonly stream: WriteStream;
  private readonly tempPath: string;
  private closed = false;
  private failure: Error | undefined;
  count = 0;

  protected constructor(readonly path: string) {
    this.tempPath = tempPathBeside(path);
    this.stream = createWriteStream(this.tempPath, { flags: 'wx' });
    this.stream.on('error', (e) => {
      this.failure ??= e;
    });
  }

  protected static async ensureDir(path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
  }

  protected async put(text: string): Promise<void> {
    if (this.closed) throw new Error(`writer for ${this.path} is already closed`);
    if (this.failure) throw this.failure;
    if (!this.stream.write(text)) await this.drained();
    if (this.failure) throw this.failure;
  }

  /** Waits for 'drain' (or an error), removing both listeners after: one wait per full buffer. */
  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
    });
  }

  protected abstract trailer(): string;

  /** Finishes the file and renames it into place. */
  async commit(): Promise<void> {
    if (this.closed) throw new Error(`writer for ${this.path} is already closed`);
    try {
      await this.put(this.trailer());
      this.closed = true;
      this.stream.end();
      await once(this.stream, 'close');
      if (this.failure) throw this.failure;
      await rename(this.tempPath, this.path);
    } catch (e) {
      await this.abort();
      throw e;
    }
  }

  /** Drops the temp file; the target is left as it was. Safe to call more than once. */
  async abort(): Promise<void> {
    this.closed = true;
    if (!this.stream.closed) {
      this.stream.destroy();
      await once(this.stream, 'close').catch(() => undefined);
    }
    await rm(this.tempPath, { force: true });
  }
}

/** `[\n<el>,\n<el>\n]\n`: valid JSON that still diffs and greps line by line. */
export class JsonArrayWriter extends AtomicStreamWriter {
  static async open(path: string): Promise<JsonArrayWriter> {
    await AtomicStreamWriter.ensureDir(path);
    return new JsonArrayWriter(path);
  }

  async write(value: unknown): Promise<void> {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`cannot write ${typeof value} as JSON`);
    await this.put(`${this.count === 0 ? '[\n' : ',\n'}${json}`);
    this.count++;
  }

  protected trailer(): string {
    return this.count === 0 ? '[]\n' : '\n]\n';
  }
}

/** One JSON value per line. */
export class JsonlWriter extends AtomicStreamWriter {
  static async open(path: string): Promise<JsonlWriter> {
    await AtomicStreamWriter.ensureDir(path);
    return new JsonlWriter(path);
  }

  async write(value: unknown): Promise<void> {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`cannot write ${typeof value} as JSON`);
    await this.put(`${json}\n`);
    this.count++;
  }

  protected trailer(): string {
    return '';
  }
}

/** Streams every value into an opened writer; commits on success, aborts (no file) on failure. */
async function writeAll(
  writer: JsonArrayWriter | JsonlWriter,
  values: Iterable<unknown> | AsyncIterable<unknown>,
): Promise<number> {
  try {
    for await (const v of values) await writer.write(v);
  } catch (e) {
    await writer.abort();
    throw e;
  }
  await writer.commit();
  return writer.count;
}

/** Writes all of `values` as a JSON array file, atomically. */
export async function writeJsonArrayFile(
  path: string,
  values: Iterable<unknown> | AsyncIterable<unknown>,
): Promise<number> {
  return writeAll(await JsonArrayWriter.open(path), values);
}

/** Writes all of `values` as a JSONL file, atomically. */
export async function writeJsonlFile(
  path: string,
  values: Iterable<unknown> | AsyncIterable<unknown>,
): Promise<number> {
  return writeAll(await JsonlWriter.open(path), values);
}
