/**
 * The unit half of the ObjectStore contract: commitUnit / publishDir / unitState / materializeUnit
 * / readUnitJson against the adapter under test (registered by objectStoreContract).
 */
import { strict as assert } from 'node:assert';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ObjectStore } from '../ports/object-store.js';
import { materializeUnit } from '../ports/unit-materialize.js';
import { UNIT_MANIFEST_FORMAT } from '../ports/unit-manifest.js';
import { commitUnit, publishDir, readUnitJson, unitState } from '../ports/unit-store.js';
import { isCoinErrorWith, type MakeStore, withStore } from './store-fixture.js';

/** The same store, recording the order of writes (a real store underneath, nothing faked). */
export function recordingStore(store: ObjectStore, writes: string[]): ObjectStore {
  return {
    ...viewWithoutLocalPath(store),
    localPath: store.localPath?.bind(store),
    put: (path, data) => {
      writes.push(path);
      return store.put(path, data);
    },
    putFile: (path, file) => {
      writes.push(path);
      return store.putFile(path, file);
    },
  };
}

/** The same store without `localPath`, as S3 is: materializeUnit must download. */
export function viewWithoutLocalPath(store: ObjectStore): ObjectStore {
  return {
    url: store.url,
    put: (path, data) => store.put(path, data),
    putFile: (path, file) => store.putFile(path, file),
    get: (path) => store.get(path),
    getStream: (path) => store.getStream(path),
    getFile: (path, file) => store.getFile(path, file),
    exists: (path) => store.exists(path),
    size: (path) => store.size(path),
    list: (prefix) => store.list(prefix),
    deletePrefix: (prefix) => store.deletePrefix(prefix),
  };
}

const UNIT = { key: 'k1', kind: 'stage', meta: { loss: 0.5 } };

/** A committed unit with three blobs: a.json, weights.bin (from a local file) and sub/c.txt. */
async function commitSample(store: ObjectStore, scratch: string, prefix = 'runs/r/stages/1') {
  await writeFile(join(scratch, 'weights.bin'), Buffer.alloc(1000, 7));
  return commitUnit(store, prefix, UNIT, [
    { path: 'a.json', data: '{"answer":42}' },
    { path: 'weights.bin', localFile: join(scratch, 'weights.bin') },
    { path: 'sub/c.txt', data: 'see' },
  ]);
}

export function unitStoreContract(make: MakeStore): void {
  test('commitUnit uploads every blob, then the manifest last; the unit reads done', () =>
    withStore(make, async (store, scratch) => {
      const writes: string[] = [];
      const manifest = await commitSample(recordingStore(store, writes), scratch);
      assert.equal(writes.at(-1), 'runs/r/stages/1/manifest.json');
      assert.equal(writes.length, 4);
      assert.equal(manifest.format, UNIT_MANIFEST_FORMAT);
      assert.deepEqual(
        manifest.blobs.map((b) => [b.path, b.size]),
        [
          ['a.json', 13],
          ['sub/c.txt', 3],
          ['weights.bin', 1000],
        ],
      );
      for (const verify of ['size', 'sha256'] as const) {
        const state = await unitState(store, 'runs/r/stages/1', { verify });
        assert.equal(state.state, 'done');
        assert.deepEqual(state.state === 'done' && state.manifest, manifest);
      }
      assert.deepEqual(await readUnitJson(store, 'runs/r/stages/1/a.json'), { answer: 42 });
    }));

  test('a unit without a manifest is absent; a file named manifest.json is refused', () =>
    withStore(make, async (store) => {
      await store.put('runs/r/stages/1/a.json', '{}');
      assert.deepEqual(await unitState(store, 'runs/r/stages/1'), { state: 'absent' });
      await assert.rejects(
        commitUnit(store, 'u', UNIT, [{ path: 'manifest.json', data: '{}' }]),
        isCoinErrorWith('UNIT.RESERVED_PATH', 'INVALID_ARGUMENT'),
      );
    }));

  test('a changed byte is corrupt under sha256 (naming the blob), a cut blob under size too', () =>
    withStore(make, async (store, scratch) => {
      await commitSample(store, scratch);
      const flipped = Buffer.alloc(1000, 7);
      flipped[500] = 8;
      await store.put('runs/r/stages/1/weights.bin', flipped);
      assert.equal((await unitState(store, 'runs/r/stages/1', { verify: 'size' })).state, 'done');
      const hashed = await unitState(store, 'runs/r/stages/1', { verify: 'sha256' });
      assert.equal(hashed.state, 'corrupt');
      assert.match(hashed.state === 'corrupt' ? hashed.reason : '', /weights\.bin.*sha256/);
      await store.put('runs/r/stages/1/sub/c.txt', 'se');
      const cut = await unitState(store, 'runs/r/stages/1', { verify: 'size' });
      assert.match(cut.state === 'corrupt' ? cut.reason : '', /sub\/c\.txt has 2 bytes/);
      await store.deletePrefix('runs/r/stages/1/sub');
      const gone = await unitState(store, 'runs/r/stages/1', { verify: 'size' });
      assert.match(gone.state === 'corrupt' ? gone.reason : '', /sub\/c\.txt is missing/);
    }));

  test('a truncated or foreign manifest is corrupt', () =>
    withStore(make, async (store, scratch) => {
      await commitSample(store, scratch);
      const bytes = await store.get('runs/r/stages/1/manifest.json');
      await store.put('runs/r/stages/1/manifest.json', bytes.subarray(0, bytes.length - 20));
      const cut = await unitState(store, 'runs/r/stages/1');
      assert.match(cut.state === 'corrupt' ? cut.reason : '', /manifest\.json is not JSON/);
      await store.put('runs/r/stages/1/manifest.json', JSON.stringify({ format: 'other/1', blobs: [] }));
      const foreign = await unitState(store, 'runs/r/stages/1');
      assert.match(foreign.state === 'corrupt' ? foreign.reason : '', /format "other\/1"/);
      const escaping = { format: UNIT_MANIFEST_FORMAT, key: 'k', kind: 'x', meta: {}, createdAt: 'now' };
      const blobs = [{ path: '../../etc/passwd', size: 1, sha256: '0'.repeat(64) }];
      await store.put('runs/r/stages/1/manifest.json', JSON.stringify({ ...escaping, blobs }));
      assert.equal((await unitState(store, 'runs/r/stages/1')).state, 'corrupt');
    }));

  test('publishDir commits a folder recursively, skipping dot-folders', () =>
    withStore(make, async (store, scratch) => {
      const dir = join(scratch, 'out');
      await mkdir(join(dir, '.resume', 'x'), { recursive: true });
      await mkdir(join(dir, 'nested'), { recursive: true });
      await writeFile(join(dir, '.resume', 'x', 'snapshot.bin'), 'skip me');
      await writeFile(join(dir, 'adapter.safetensors'), 'weights');
      await writeFile(join(dir, 'nested', 'log.jsonl'), '{}\n');
      const manifest = await publishDir(store, 'runs/r/stages/2', dir, { key: 'k2', kind: 'stage' });
      assert.deepEqual(
        manifest.blobs.map((b) => b.path),
        ['adapter.safetensors', 'nested/log.jsonl'],
      );
      assert.deepEqual(await store.list('runs/r/stages/2'), [
        'runs/r/stages/2/adapter.safetensors',
        'runs/r/stages/2/manifest.json',
        'runs/r/stages/2/nested/log.jsonl',
      ]);
      assert.equal((await unitState(store, 'runs/r/stages/2')).state, 'done');
    }));

  test('materializeUnit gives a folder of verified files, in place or downloaded', () =>
    withStore(make, async (store, scratch) => {
      await commitSample(store, scratch);
      for (const view of [store, viewWithoutLocalPath(store)]) {
        const dir = await materializeUnit(view, 'runs/r/stages/1', join(scratch, 'cache'));
        assert.equal(await readFile(join(dir, 'sub', 'c.txt'), 'utf8'), 'see');
        assert.ok(Buffer.alloc(1000, 7).equals(await readFile(join(dir, 'weights.bin'))));
      }
      await assert.rejects(
        materializeUnit(store, 'runs/r/stages/9', join(scratch, 'cache')),
        isCoinErrorWith('UNIT.NOT_FOUND', 'NOT_FOUND', 'runs/r/stages/9'),
      );
      await store.put('runs/r/stages/1/a.json', '{"answer":43}');
      for (const view of [store, viewWithoutLocalPath(store)]) {
        await assert.rejects(
          materializeUnit(view, 'runs/r/stages/1', join(scratch, 'cache2')),
          isCoinErrorWith('UNIT.CORRUPT', 'DATA_LOSS', 'a.json'),
        );
      }
    }));

  test('readUnitJson names a blob that is not JSON', () =>
    withStore(make, async (store) => {
      await store.put('x/bad.json', '{"cut');
      await assert.rejects(
        readUnitJson(store, 'x/bad.json'),
        isCoinErrorWith('UNIT.BAD_JSON', 'DATA_LOSS', 'x/bad.json'),
      );
    }));
}
