/**
 * The judge's reply cache (docs/protocol.md#judge-run): one JSONL file in a folder the caller
 * names, one line per reply, keyed by sha256 of (model, sampling, messages), so judging the same
 * answers again costs no call. Append-only: a reply is one line written by one append; a line a
 * killed run left torn is skipped on load and the next append starts a fresh line. Re-judging under
 * stochastic sampling returns the cached sample, which is the point: a cell's score does not move.
 */
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson, CoinError } from '@coin/core';

export const JUDGE_CACHE_FILE = 'judge-cache.jsonl';

export interface CachedReply {
  readonly text: string;
  readonly finishReason: string | null;
  /** The server flagged a refusal (OpenAI's message.refusal). */
  readonly refusal: boolean;
}

export function judgeCacheKey(model: string, sampling: object, messages: readonly object[]): string {
  return createHash('sha256').update(canonicalJson({ model, sampling, messages })).digest('hex');
}

function parseLine(line: string): [string, CachedReply] | undefined {
  try {
    const v = JSON.parse(line) as Record<string, unknown>;
    if (typeof v.key !== 'string' || typeof v.text !== 'string') return undefined;
    const finishReason = typeof v.finish_reason === 'string' ? v.finish_reason : null;
    return [v.key, { text: v.text, finishReason, refusal: v.refusal === true }];
  } catch {
    return undefined;
  }
}

export class JudgeCache {
  /** Appends queue here, so lines never interleave. */
  private tail: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly entries: Map<string, CachedReply>,
    private needsNewline: boolean,
    /** Lines that did not parse (a torn last line, or damage). */
    readonly skippedLines: number,
  ) {}

  static async open(dir: string): Promise<JudgeCache> {
    const file = join(dir, JUDGE_CACHE_FILE);
    let content = '';
    try {
      await mkdir(dir, { recursive: true });
      content = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw cacheFailure(file, e);
    }
    const entries = new Map<string, CachedReply>();
    let skipped = 0;
    for (const line of content.split('\n')) {
      if (line === '') continue;
      const entry = parseLine(line);
      if (entry) entries.set(entry[0], entry[1]);
      else skipped += 1;
    }
    return new JudgeCache(file, entries, content !== '' && !content.endsWith('\n'), skipped);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): CachedReply | undefined {
    return this.entries.get(key);
  }

  put(key: string, model: string, reply: CachedReply): Promise<void> {
    this.entries.set(key, reply);
    const line = JSON.stringify({
      key,
      model,
      text: reply.text,
      finish_reason: reply.finishReason,
      refusal: reply.refusal,
    });
    const prefix = this.needsNewline ? '\n' : '';
    this.needsNewline = false;
    const write = this.tail.then(() => appendFile(this.file, `${prefix}${line}\n`, 'utf8'));
    this.tail = write.catch(() => undefined);
    return write.catch((e: unknown) => {
      throw cacheFailure(this.file, e);
    });
  }
}

function cacheFailure(file: string, e: unknown): CoinError {
  return new CoinError(
    'JUDGE.CACHE_FAILED',
    'UNAVAILABLE',
    `cannot use the judge cache ${file}: ${(e as Error).message}`,
    {
      hint: 'check that the cache folder is writable, or run without a judge cache',
      cause: e,
    },
  );
}
