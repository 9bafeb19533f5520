/**
 * Sessions keyed by a string such as a shape bucket (`train:B16:T64`). Every (batch, seq) shape needs
 * its own graph and session (or padding to a bucket), and building one costs 60-155 ms for config B
 * (1.8 s for a 12-layer model), so they are built once per key and reused.
 *
 * - A miss builds the model bytes and the session once, even when many callers miss the same key at
 *   the same time (they all await the one pending build). A failed build is not cached.
 * - At most `maxSessions` are kept; the least recently used is evicted and released. A session that
 *   is evicted while runs are in flight is released when they finish, so fetch the session from the
 *   cache for each step rather than holding on to it.
 */
import { CoinError } from '@coin/core';
import { createSession, type RunOptions, type RuntimeSession, type SessionOptions } from './session.js';
import { type HostTensor } from './tensor.js';

export type ModelBuilder = () => Uint8Array | Promise<Uint8Array>;

export interface SessionCacheOptions {
  /** Most sessions kept at once (default 8). */
  maxSessions?: number;
  /** Options for every session this cache creates. */
  sessionOptions?: SessionOptions;
}

interface Entry {
  readonly promise: Promise<CachedSession>;
  /** Set once the build has finished. */
  session?: CachedSession;
}

export class SessionCache {
  private readonly maxSessions: number;
  private readonly sessionOptions: SessionOptions;
  /** Insertion order = recency order: a hit moves its key to the end. */
  private readonly entries = new Map<string, Entry>();
  private builds = 0;

  constructor(options: SessionCacheOptions = {}) {
    this.maxSessions = options.maxSessions ?? 8;
    if (!Number.isSafeInteger(this.maxSessions) || this.maxSessions < 1) {
      throw new CoinError(
        'RUNTIME.BAD_OPTIONS',
        'INVALID_ARGUMENT',
        `maxSessions must be a positive integer, got ${options.maxSessions}`,
      );
    }
    this.sessionOptions = options.sessionOptions ?? {};
  }

  /** The session for `key`, building it with `build` on a miss. */
  get(key: string, build: ModelBuilder): Promise<RuntimeSession> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.promise;
    }
    const entry: Entry = { promise: this.build(key, build) };
    entry.promise.then(
      (session) => {
        entry.session = session;
      },
      () => {
        // A failed build is forgotten so that the next call retries; its callers see the error.
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    this.entries.set(key, entry);
    this.evictOverflow();
    return entry.promise;
  }

  private async build(key: string, build: ModelBuilder): Promise<CachedSession> {
    this.builds++;
    const model = await build();
    const session = await createSession(model, this.sessionOptions);
    // A caller that releases a cached session removes it from the cache.
    return new CachedSession(session, (retired) => {
      if (this.entries.get(key)?.session === retired) this.entries.delete(key);
    });
  }

  private evictOverflow(): void {
    while (this.entries.size > this.maxSessions) {
      const oldest = this.entries.keys().next().value as string;
      void this.delete(oldest);
    }
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Keys from least to most recently used. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  get size(): number {
    return this.entries.size;
  }

  /** How many builds were started (for tests and logs). */
  get buildCount(): number {
    return this.builds;
  }

  /** Drops one session and releases it once its in-flight runs finish. */
  async delete(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    await entry.promise.then(
      (s) => s.retire(),
      () => undefined,
    );
  }

  /** Releases every session (waits for in-flight runs). */
  async clear(): Promise<void> {
    await Promise.all(this.keys().map((key) => this.delete(key)));
  }
}

/** A session that counts its in-flight runs so that eviction never releases it under a run. */
class CachedSession implements RuntimeSession {
  private active = 0;
  private retired = false;
  private released: Promise<void> | undefined;
  private idle: (() => void) | undefined;

  constructor(
    private readonly inner: RuntimeSession,
    private readonly onRetire: (session: CachedSession) => void,
  ) {}

  get inputNames() {
    return this.inner.inputNames;
  }
  get outputNames() {
    return this.inner.outputNames;
  }
  get inputs() {
    return this.inner.inputs;
  }
  get outputs() {
    return this.inner.outputs;
  }
  get executionProvider() {
    return this.inner.executionProvider;
  }

  async run(feeds: Readonly<Record<string, HostTensor>>, options?: RunOptions): Promise<Record<string, HostTensor>> {
    if (this.retired) {
      throw new CoinError('RUNTIME.RELEASED', 'FAILED_PRECONDITION', 'run() on a session the cache has evicted', {
        hint: 'get the session from the SessionCache for every run instead of keeping it',
      });
    }
    this.active++;
    try {
      return await this.inner.run(feeds, options);
    } finally {
      this.active--;
      if (this.active === 0) this.idle?.();
    }
  }

  endProfiling(): void {
    this.inner.endProfiling();
  }

  /** Sessions from a cache are released by the cache; a caller's release() only retires it early. */
  release(): Promise<void> {
    return this.retire();
  }

  /** Refuses new runs and releases the native session once the in-flight runs finish. */
  retire(): Promise<void> {
    this.retired = true;
    this.onRetire(this);
    this.released ??= (async () => {
      if (this.active > 0) await new Promise<void>((resolve) => (this.idle = resolve));
      await this.inner.release();
    })();
    return this.released;
  }
}
