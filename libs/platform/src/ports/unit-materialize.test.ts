import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FilesystemObjectStore } from '../adapters/fs-object-store.js';
import { viewWithoutLocalPath } from '../testing/unit-store-contract.js';
import type { ObjectStore } from './object-store.js';
import { materializeUnit } from './unit-materialize.js';
import { commitUnit } from './unit-store.js';

/** A store without a local folder (as S3) that counts downloads. */
function downloadsCounted(store: ObjectStore, downloads: string[]): ObjectStore {
  return {
    ...viewWithoutLocalPath(store),
    getFile: (path, file) => {
      downloads.push(path);
      return store.getFile(path, file);
    },
  };
}

test('a downloaded unit is reused while it matches, and fetched again when the copy is damaged', async () => {
  const scratch = await mkdtemp(join(tmpdir(), 'coin-materialize-'));
  try {
    const store = new FilesystemObjectStore(join(scratch, 'store'));
    await commitUnit(store, 'models/m', { key: 'm', kind: 'model' }, [
      { path: 'weights.bin', data: 'w'.repeat(100) },
      { path: 'tokenizer.json', data: '{}' },
    ]);
    const downloads: string[] = [];
    const remote = downloadsCounted(store, downloads);
    const cache = join(scratch, 'cache');
    const dir = await materializeUnit(remote, 'models/m', cache);
    assert.equal(dir, join(cache, 'models', 'm'));
    assert.equal(downloads.length, 2);
    assert.equal(await materializeUnit(remote, 'models/m', cache), dir);
    assert.equal(downloads.length, 2, 'a matching copy is not downloaded again');
    await writeFile(join(dir, 'weights.bin'), 'x'.repeat(100));
    assert.equal(await materializeUnit(remote, 'models/m', cache), dir);
    assert.equal(downloads.length, 4, 'a damaged copy is replaced');
    assert.equal(await readFile(join(dir, 'weights.bin'), 'utf8'), 'w'.repeat(100));
    await commitUnit(store, 'models/m', { key: 'm2', kind: 'model' }, [{ path: 'weights.bin', data: 'v2' }]);
    await materializeUnit(remote, 'models/m', cache);
    assert.equal(await readFile(join(dir, 'weights.bin'), 'utf8'), 'v2', 'a recommitted unit is fetched anew');
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});
