import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveConfig } from '../../config/config.js';
import { isCoinErrorWith } from '../../testing/store-fixture.js';
import { LOCAL_S3_CREDENTIALS, openS3Service, serviceStoreOptions, startLocalS3 } from './local-s3.js';
import { S3ObjectStore } from './s3-object-store.js';

test('the local S3 server keeps its objects in the given folder across a restart', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'coin-local-s3-'));
  try {
    const first = await startLocalS3({ dataDir, bucket: 'stack' });
    assert.match(first.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(
      [first.bucket, first.region, first.credentials, first.local],
      ['stack', 'us-east-1', LOCAL_S3_CREDENTIALS, true],
    );
    const options = { endpoint: first.endpoint, bucket: first.bucket, ...first.credentials, createBucket: false };
    await new S3ObjectStore(options).put('runs/r/spec.json', '{}');
    await first.stop();
    await first.stop(); // stopping twice is harmless
    await assert.rejects(
      new S3ObjectStore(options).get('runs/r/spec.json'),
      isCoinErrorWith('STORE.S3_UNREACHABLE', 'UNAVAILABLE'),
    );

    const second = await startLocalS3({ dataDir, bucket: 'stack' });
    try {
      const store = new S3ObjectStore({ ...options, endpoint: second.endpoint });
      assert.equal(Buffer.from(await store.get('runs/r/spec.json')).toString(), '{}');
    } finally {
      await second.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a configured endpoint is used as it is (nothing started), and needs its credentials', async () => {
  const s3 = resolveConfig(undefined, {
    COIN_S3_ENDPOINT: 'http://minio.example:9000',
    COIN_S3_BUCKET: 'runs',
    COIN_S3_PREFIX: 'coin',
    COIN_S3_ACCESS_KEY: 'id',
    COIN_S3_SECRET_KEY: 'secret',
    COIN_S3_PART_SIZE_MIB: '8',
  }).s3;
  const service = await openS3Service(s3, '/nonexistent/never/created');
  assert.deepEqual(
    { ...service, stop: undefined },
    {
      endpoint: 'http://minio.example:9000',
      bucket: 'runs',
      region: 'us-east-1',
      credentials: { accessKey: 'id', secretKey: 'secret' },
      local: false,
      stop: undefined,
    },
  );
  await service.stop();
  const store = new S3ObjectStore(serviceStoreOptions(service, s3));
  assert.equal(store.url, 's3://runs/coin');
  await assert.rejects(
    openS3Service({ ...s3, secretKey: undefined }, '/nonexistent'),
    isCoinErrorWith('STORE.S3_NO_CREDENTIALS', 'FAILED_PRECONDITION'),
  );
});
