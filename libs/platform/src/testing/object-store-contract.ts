/**
 * The ObjectStore contract: every adapter (file store, S3) runs these tests unchanged through
 * `objectStoreContract(name, make)`; `make` returns an empty store and how to dispose of it. The
 * unit-manifest half is in unit-store-contract.ts.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { isCoinErrorWith, type MakeStore, withStore } from './store-fixture.js';
import { unitStoreContract } from './unit-store-contract.js';

export type { MakeStore, StoreFixture } from './store-fixture.js';

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

export function objectStoreContract(name: string, make: MakeStore): void {
  describe(`ObjectStore contract: ${name}`, () => {
    test('put then get returns the bytes, with size and sha256; a second put replaces', () =>
      withStore(make, async (store) => {
        const info = await store.put('a/b/blob.bin', new Uint8Array([1, 2, 3]));
        assert.deepEqual(info, { path: 'a/b/blob.bin', size: 3, sha256: sha256(new Uint8Array([1, 2, 3])) });
        assert.deepEqual([...(await store.get('a/b/blob.bin'))], [1, 2, 3]);
        await store.put('a/b/blob.bin', 'héllo');
        assert.equal(Buffer.from(await store.get('a/b/blob.bin')).toString('utf8'), 'héllo');
        assert.equal(await store.size('a/b/blob.bin'), Buffer.byteLength('héllo'));
        assert.equal(await store.exists('a/b/blob.bin'), true);
        const chunks: Uint8Array[] = [];
        for await (const chunk of await store.getStream('a/b/blob.bin')) chunks.push(chunk);
        assert.equal(Buffer.concat(chunks).toString('utf8'), 'héllo');
      }));

    test('a missing blob is STORE.NOT_FOUND naming the path; size undefined, exists false', () =>
      withStore(make, async (store) => {
        await assert.rejects(
          store.get('no/such.json'),
          isCoinErrorWith('STORE.NOT_FOUND', 'NOT_FOUND', 'no/such.json'),
        );
        await assert.rejects(store.getStream('no/such.json'), isCoinErrorWith('STORE.NOT_FOUND', 'NOT_FOUND'));
        assert.equal(await store.size('no/such.json'), undefined);
        assert.equal(await store.exists('no/such.json'), false);
      }));

    test('list is recursive and sorted, a prefix is a folder, and the root lists everything', () =>
      withStore(make, async (store) => {
        for (const path of ['runs/a/z.txt', 'runs/a/b/c.txt', 'runs/ab/x.txt', 'runs/a/a.txt', 'top.txt']) {
          await store.put(path, path);
        }
        const under = ['runs/a/a.txt', 'runs/a/b/c.txt', 'runs/a/z.txt'];
        assert.deepEqual(await store.list('runs/a'), under);
        assert.deepEqual(await store.list('runs/a/'), under);
        assert.deepEqual(await store.list('runs'), ['runs/a/a.txt', 'runs/a/b/c.txt', 'runs/a/z.txt', 'runs/ab/x.txt']);
        assert.deepEqual(await store.list(''), [...under, 'runs/ab/x.txt', 'top.txt']);
        assert.deepEqual(await store.list('nothing/here'), []);
      }));

    test('deletePrefix removes that folder only, accepts an empty one, refuses the root', () =>
      withStore(make, async (store) => {
        for (const path of ['runs/a/1', 'runs/a/b/2', 'runs/ab/3']) await store.put(path, path);
        await store.deletePrefix('runs/a');
        assert.deepEqual(await store.list(''), ['runs/ab/3']);
        await store.deletePrefix('runs/none');
        await assert.rejects(store.deletePrefix(''), isCoinErrorWith('STORE.BAD_PATH', 'INVALID_ARGUMENT'));
        assert.deepEqual(await store.list(''), ['runs/ab/3']);
      }));

    test('paths that are absolute, empty, or climb are STORE.BAD_PATH everywhere', () =>
      withStore(make, async (store) => {
        const bad = ['', '/etc/passwd', 'a//b', 'a/../b', '../a', './a', 'a/', 'a\\b', 'a/.x.tmp-1-0123abcd'];
        for (const path of bad) {
          const refused = isCoinErrorWith('STORE.BAD_PATH', 'INVALID_ARGUMENT');
          await assert.rejects(store.put(path, 'x'), refused, `put ${JSON.stringify(path)}`);
          await assert.rejects(store.get(path), refused, `get ${JSON.stringify(path)}`);
          await assert.rejects(store.exists(path), refused, `exists ${JSON.stringify(path)}`);
        }
        for (const prefix of ['/abs', 'a/../b', 'a//b']) {
          await assert.rejects(store.list(prefix), isCoinErrorWith('STORE.BAD_PATH', 'INVALID_ARGUMENT'));
          await assert.rejects(store.deletePrefix(prefix), isCoinErrorWith('STORE.BAD_PATH', 'INVALID_ARGUMENT'));
        }
        assert.deepEqual(await store.list(''), []);
      }));

    test('putFile streams a local file in; getFile streams it out whole, replacing the target', () =>
      withStore(make, async (store, scratch) => {
        const big = Buffer.alloc(3 * 1024 * 1024 + 17);
        for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
        await writeFile(join(scratch, 'big.bin'), big);
        const info = await store.putFile('models/m/weights.bin', join(scratch, 'big.bin'));
        assert.deepEqual(info, { path: 'models/m/weights.bin', size: big.length, sha256: sha256(big) });
        await writeFile(join(scratch, 'out.bin'), 'old');
        await store.getFile('models/m/weights.bin', join(scratch, 'out', 'deep', 'copy.bin'));
        assert.ok(big.equals(await readFile(join(scratch, 'out', 'deep', 'copy.bin'))));
        await store.getFile('models/m/weights.bin', join(scratch, 'out.bin'));
        assert.ok(big.equals(await readFile(join(scratch, 'out.bin'))));
      }));

    test('a failed getFile leaves the local file as it was and nothing beside it', () =>
      withStore(make, async (store, scratch) => {
        await writeFile(join(scratch, 'keep.txt'), 'old');
        await assert.rejects(
          store.getFile('no/blob', join(scratch, 'keep.txt')),
          isCoinErrorWith('STORE.NOT_FOUND', 'NOT_FOUND'),
        );
        assert.equal(await readFile(join(scratch, 'keep.txt'), 'utf8'), 'old');
        assert.deepEqual(await readdir(scratch), ['keep.txt']);
        await assert.rejects(
          store.putFile('x/y', join(scratch, 'absent.bin')),
          isCoinErrorWith('STORE.LOCAL_FILE_NOT_FOUND', 'NOT_FOUND'),
        );
        assert.equal(await store.exists('x/y'), false);
      }));

    unitStoreContract(make);
  });
}
