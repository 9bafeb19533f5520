import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { objectStoreContract } from '../testing/object-store-contract.js';
import { isCoinErrorWith } from '../testing/store-fixture.js';
import { FilesystemObjectStore } from './fs-object-store.js';

async function makeStore() {
  const root = await mkdtemp(join(tmpdir(), 'coin-fs-store-'));
  return { store: new FilesystemObjectStore(root), root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

objectStoreContract('FilesystemObjectStore', makeStore);

test('the file store is its folder: url, localPath, and blobs as files', async () => {
  const { store, root, cleanup } = await makeStore();
  try {
    assert.equal(store.url, `file://${root}`);
    assert.equal(store.localPath('runs/r'), join(root, 'runs', 'r'));
    await store.put('runs/r/x.txt', 'x');
    assert.deepEqual(await readdir(join(root, 'runs', 'r')), ['x.txt']);
  } finally {
    await cleanup();
  }
});

test('half-written temp files are not listed, and emptied folders are pruned', async () => {
  const { store, root, cleanup } = await makeStore();
  try {
    await store.put('a/b/c/x.txt', 'x');
    await store.put('a/keep.txt', 'k');
    await writeFile(join(root, 'a', '.keep.txt.tmp-123-0123abcd'), 'partial');
    assert.deepEqual(await store.list('a'), ['a/b/c/x.txt', 'a/keep.txt']);
    await store.deletePrefix('a/b/c');
    assert.deepEqual((await readdir(join(root, 'a'))).sort(), ['.keep.txt.tmp-123-0123abcd', 'keep.txt']);
  } finally {
    await cleanup();
  }
});

test('a blob where a folder is (or under a blob) is STORE.PATH_CONFLICT', async () => {
  const { store, cleanup } = await makeStore();
  try {
    await store.put('a/b', 'blob');
    await assert.rejects(
      store.put('a/b/c', 'x'),
      isCoinErrorWith('STORE.PATH_CONFLICT', 'FAILED_PRECONDITION', 'a/b/c'),
    );
    await store.put('d/e/f', 'x');
    await assert.rejects(store.put('d/e', 'x'), isCoinErrorWith('STORE.PATH_CONFLICT', 'FAILED_PRECONDITION', 'd/e'));
  } finally {
    await cleanup();
  }
});
