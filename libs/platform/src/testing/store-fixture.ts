/** What the store contracts share: a fresh store per test, and the CoinError check. */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoinError } from '@coin/core';
import type { ObjectStore } from '../ports/object-store.js';

export interface StoreFixture {
  readonly store: ObjectStore;
  cleanup(): Promise<void>;
}

export type MakeStore = () => Promise<StoreFixture>;

/** Runs `body` against a fresh store and a scratch local folder, disposing of both after. */
export async function withStore(make: MakeStore, body: (store: ObjectStore, scratch: string) => Promise<void>) {
  const fixture = await make();
  const scratch = await mkdtemp(join(tmpdir(), 'coin-store-contract-'));
  try {
    await body(fixture.store, scratch);
  } finally {
    await fixture.cleanup();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** An assert.rejects/throws check: a CoinError with this code and kind, its message naming `mentions`. */
export function isCoinErrorWith(code: string, kind: string, mentions?: string) {
  return (e: unknown) => {
    assert.ok(e instanceof CoinError, `expected a CoinError ${code}, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.kind, kind);
    if (mentions !== undefined) assert.ok(e.message.includes(mentions), `"${e.message}" should name ${mentions}`);
    return true;
  };
}
