/**
 * What the contract cannot say about S3: a blob changed behind the store's back, listings over
 * several pages, multipart streaming of a large file in bounded memory, and the failures an
 * operator meets first (no server, a silent server, no or wrong credentials, no bucket).
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { materializeUnit } from '../../ports/unit-materialize.js';
import { commitUnit, unitState } from '../../ports/unit-store.js';
import { startS3TestBed } from '../../testing/s3-fixture.js';
import { isCoinErrorWith } from '../../testing/store-fixture.js';
import { S3ObjectStore } from './s3-object-store.js';

const bed = await startS3TestBed(process.env);
const scratch = await mkdtemp(join(tmpdir(), 'coin-s3-behaviour-'));
after(async () => {
  await bed.stop();
  await rm(scratch, { recursive: true, force: true });
});

const MiB = 1024 * 1024;

test('the store names its bucket and prefix, and offers no local folder', async () => {
  const { store, cleanup } = await bed.makeStore();
  try {
    assert.match(store.url, new RegExp(`^s3://${bed.service.bucket}/(.+/)?test-[0-9a-f]{8}-\\d+$`));
    assert.equal((store as { localPath?: unknown }).localPath, undefined);
  } finally {
    await cleanup();
  }
});

test('a blob overwritten behind the store with other bytes of the same size is caught by sha256, never used', async () => {
  const { store, cleanup } = await bed.makeStore();
  try {
    await commitUnit(store, 'runs/r/stages/1', { key: 'k', kind: 'stage' }, [
      { path: 'adapter.bin', data: Buffer.alloc(4096, 1) },
      { path: 'log.jsonl', data: '{}\n' },
    ]);
    // Another client of the same bucket (not this store) replaces the object.
    const intruder = new S3ObjectStore(bed.options({ prefix: store.root }));
    const forged = Buffer.alloc(4096, 1);
    forged[4000] = 2;
    await intruder.put('runs/r/stages/1/adapter.bin', forged);
    assert.equal((await unitState(store, 'runs/r/stages/1', { verify: 'size' })).state, 'done');
    const state = await unitState(store, 'runs/r/stages/1', { verify: 'sha256' });
    assert.equal(state.state, 'corrupt');
    assert.match(
      state.state === 'corrupt' ? state.reason : '',
      /adapter\.bin has sha256 [0-9a-f]{64}, the manifest records/,
    );
    const cache = join(scratch, 'cache-corrupt');
    await assert.rejects(
      materializeUnit(store, 'runs/r/stages/1', cache),
      isCoinErrorWith('UNIT.CORRUPT', 'DATA_LOSS', 'adapter.bin'),
    );
    await assert.rejects(stat(join(cache, 'runs', 'r', 'stages', '1')), { code: 'ENOENT' }, 'no copy is left to use');
  } finally {
    await cleanup();
  }
});

test('list and deletePrefix follow a listing over several pages, in key order', async () => {
  const { store, cleanup } = await bed.makeStore({ listPageSize: 7 });
  try {
    const inside = Array.from({ length: 30 }, (_, i) => `runs/a/${String(i).padStart(2, '0')}.json`);
    // runs/a.json sorts before runs/a/… ('.' < '/'), though a folder walk meets it after them.
    await Promise.all([...inside, 'runs/ab/keep.json', 'runs/a.json'].map((path) => store.put(path, path)));
    assert.deepEqual(await store.list('runs/a'), inside);
    assert.equal((await store.list('')).length, 32);
    await store.deletePrefix('runs/a');
    assert.deepEqual(await store.list(''), ['runs/a.json', 'runs/ab/keep.json']);
  } finally {
    await cleanup();
  }
});

/** Writes `size` pseudo-random bytes to a file in 1 MiB pieces (never the whole file in memory). */
async function writeBigFile(file: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  let state = 12345;
  for (let written = 0; written < size; ) {
    const piece = Buffer.allocUnsafe(Math.min(MiB, size - written));
    for (let i = 0; i < piece.length; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      piece[i] = state >>> 24;
    }
    hash.update(piece);
    if (!out.write(piece)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    written += piece.length;
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return hash.digest('hex');
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * A young-generation collection, to measure live memory rather than chunks not yet collected (a
 * full collection every few milliseconds would take the test from one second to forty).
 */
function exposeMinorGc(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (options: { type: 'minor' }) => void;
  return () => gc({ type: 'minor' });
}

test('a 20 MiB file streams in by multipart and out again, never held in memory', async (t) => {
  const { store, cleanup } = await bed.makeStore({ partSize: 5 * MiB });
  try {
    const size = 20 * MiB + 123; // five parts, the last one short
    const source = join(scratch, 'big.bin');
    const sha256 = await writeBigFile(source, size);
    const gc = exposeMinorGc();
    gc();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sample = () => {
      gc();
      peak = Math.max(peak, process.memoryUsage().rss);
    };
    const sampler = setInterval(sample, 10);
    try {
      assert.deepEqual(await store.putFile('models/m/weights.bin', source), {
        path: 'models/m/weights.bin',
        size,
        sha256,
      });
      assert.equal(await store.size('models/m/weights.bin'), size);
      await store.getFile('models/m/weights.bin', join(scratch, 'copy.bin'));
    } finally {
      clearInterval(sampler);
    }
    sample();
    assert.equal(await fileSha256(join(scratch, 'copy.bin')), sha256);
    // One 5 MiB part buffer is expected, and Node 24 keeps a few MiB more of garbage between
    // collections (12.6 measured once); the whole blob in memory adds 20 MiB and more (28.7 measured
    // with a part size holding it all).
    const grew = (peak - before) / MiB;
    t.diagnostic(
      `live RSS grew ${grew.toFixed(1)} MiB at most (client and in-process server) moving ${(size / MiB).toFixed(0)} MiB`,
    );
    assert.ok(grew < 18, `RSS grew ${grew.toFixed(1)} MiB moving a 20 MiB blob`);
  } finally {
    await cleanup();
  }
});

/** A free loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('an endpoint with nothing listening fails at once as STORE.S3_UNREACHABLE, naming it', async () => {
  const endpoint = `http://127.0.0.1:${await closedPort()}`;
  const store = new S3ObjectStore(bed.options({ endpoint }));
  const started = Date.now();
  await assert.rejects(store.get('a/b'), (e: unknown) => {
    isCoinErrorWith('STORE.S3_UNREACHABLE', 'UNAVAILABLE', endpoint)(e);
    assert.match((e as { hint: string }).hint, /COIN_S3_ENDPOINT/);
    return true;
  });
  assert.ok(Date.now() - started < 2000, 'no retries');
});

test('an endpoint that accepts and never answers fails after the request timeout', async () => {
  const sockets: Socket[] = [];
  const silent: Server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const endpoint = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    const store = new S3ObjectStore(bed.options({ endpoint, requestTimeoutMs: 300 }));
    const started = Date.now();
    await assert.rejects(store.exists('a/b'), isCoinErrorWith('STORE.S3_UNREACHABLE', 'UNAVAILABLE', 'ETIMEDOUT'));
    const took = Date.now() - started;
    assert.ok(took >= 250 && took < 2000, `failed after ${took} ms`);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});

test('missing credentials are refused before any request, wrong ones name the variables', async () => {
  for (const missing of [{ accessKey: undefined }, { secretKey: '' }]) {
    assert.throws(
      () => new S3ObjectStore(bed.options(missing)),
      (e: unknown) => {
        isCoinErrorWith('STORE.S3_NO_CREDENTIALS', 'FAILED_PRECONDITION')(e);
        assert.match((e as { hint: string }).hint, /COIN_S3_ACCESS_KEY and COIN_S3_SECRET_KEY/);
        return true;
      },
    );
  }
  const wrong = new S3ObjectStore(bed.options({ accessKey: 'NOT-A-KEY', secretKey: 'nope' }));
  await assert.rejects(wrong.list(''), (e: unknown) => {
    isCoinErrorWith('STORE.S3_ACCESS_DENIED', 'FAILED_PRECONDITION', bed.service.endpoint)(e);
    assert.match((e as { hint: string }).hint, /COIN_S3_ACCESS_KEY/);
    return true;
  });
});

test('an absent bucket is created on first use, or refused with a hint when creation is off', async () => {
  const name = `coin-test-${Date.now().toString(36)}`;
  const refusing = new S3ObjectStore(bed.options({ bucket: name, prefix: '', createBucket: false }));
  await assert.rejects(refusing.put('x', 'x'), (e: unknown) => {
    isCoinErrorWith('STORE.S3_NO_BUCKET', 'FAILED_PRECONDITION', name)(e);
    assert.match((e as { hint: string }).hint, /COIN_S3_CREATE_BUCKET/);
    return true;
  });
  const creating = new S3ObjectStore(bed.options({ bucket: name, prefix: '', createBucket: true }));
  await creating.put('x', 'x');
  assert.deepEqual(await refusing.list(''), ['x'], 'the bucket exists now');
  await creating.deletePrefix('x');
});

test('bad options are refused when the store is built', () => {
  const refused = (code: string) => isCoinErrorWith(code, 'INVALID_ARGUMENT');
  assert.throws(() => new S3ObjectStore(bed.options({ endpoint: 'minio:9000' })), refused('STORE.S3_BAD_ENDPOINT'));
  assert.throws(
    () => new S3ObjectStore(bed.options({ endpoint: 'http://h:9000/coin' })),
    refused('STORE.S3_BAD_ENDPOINT'),
  );
  assert.throws(() => new S3ObjectStore(bed.options({ bucket: 'Bad_Bucket' })), refused('STORE.S3_BAD_BUCKET'));
  assert.throws(() => new S3ObjectStore(bed.options({ partSize: MiB })), refused('STORE.S3_BAD_PART_SIZE'));
  assert.throws(() => new S3ObjectStore(bed.options({ prefix: '/abs' })), refused('STORE.BAD_PATH'));
});
