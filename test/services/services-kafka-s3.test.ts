// The five services in one process, each with the Kafka bus and the S3 store its configuration
// makes (COIN_KAFKA_* to the local mock broker, COIN_S3_* to s3rver: the real wire protocols, as the
// service processes of `coin stack up` get them): a micro run through CreateRun and WatchRun ends
// SUCCEEDED with the matrices of the same spec run embedded.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { State } from '@coin/contracts';
import type { RunResults } from '@coin/pipeline';
import { readUnitJson, S3ObjectStore } from '@coin/platform';
import { type MockKafkaBroker, type S3TestBed, startMockKafkaBroker, startS3TestBed } from '@coin/platform/testing';
import { embeddedRun, type FiveServices, microSpec, startFiveServices, submitAndWatch } from './five-services.js';

describe('the five services over Kafka and S3', () => {
  let dir: string;
  let broker: MockKafkaBroker;
  let s3: S3TestBed;
  let stack: FiveServices;
  let prefix: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coin-services-'));
    [broker, s3] = await Promise.all([startMockKafkaBroker(), startS3TestBed(process.env)]);
    prefix = `test-${randomBytes(4).toString('hex')}`;
    const o = s3.options();
    stack = await startFiveServices({
      storeDir: dir, // the services' work folders only: units live in the bucket
      env: {
        COIN_THREADS: '1',
        COIN_KAFKA_BROKERS: broker.brokers.join(','),
        COIN_KAFKA_IDEMPOTENT: 'false', // the mock broker hands out no producer ids
        COIN_KAFKA_MAX_WAIT_MS: '100', // each hop waits up to this on the mock broker (1 s by default)
        COIN_S3_ENDPOINT: o.endpoint,
        COIN_S3_BUCKET: o.bucket,
        COIN_S3_REGION: o.region ?? 'us-east-1',
        COIN_S3_PREFIX: o.prefix ? `${o.prefix}/${prefix}` : prefix,
        COIN_S3_ACCESS_KEY: o.accessKey!,
        COIN_S3_SECRET_KEY: o.secretKey!,
      },
    });
  });
  after(async () => {
    await stack?.stop();
    await Promise.all([broker?.stop(), s3?.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('a micro run through CreateRun and WatchRun equals the embedded run of the same spec', async (t) => {
    const store = stack.orchestrator.service.store;
    assert.ok(store instanceof S3ObjectStore, store.url);
    assert.match(store.url, new RegExp(`^s3://${s3.service.bucket}/.*${prefix}$`));
    const spec = microSpec(0);
    const started = performance.now();
    const { messages, final } = await submitAndWatch(stack.bench, spec);
    const wall = (performance.now() - started) / 1000;
    const embeddedStarted = performance.now();
    const embedded = await embeddedRun(spec);
    t.diagnostic(
      `services ${wall.toFixed(1)} s, embedded ${((performance.now() - embeddedStarted) / 1000).toFixed(1)} s`,
    );

    const last = messages.at(-1)!;
    assert.equal(last.run?.state, State.STATE_SUCCEEDED, last.progress?.message);
    assert.equal(messages.filter((m) => m.stage).length, 2);
    assert.equal(messages.filter((m) => m.evalCell).length, 3);
    assert.equal(messages.filter((m) => m.judgeCell).length, 3);
    const run = final.run!;
    assert.equal(run.state, State.STATE_SUCCEEDED);
    const results = await readUnitJson<RunResults>(store, run.reportUri);
    assert.deepEqual(results.accuracy, embedded.accuracy);
    assert.deepEqual(results.judge.matrix, embedded.judge.matrix);
    for (const name of ['trainer', 'evaluator']) {
      const listening = stack.services
        .get(name)!
        .logs()
        .find((l) => l.msg === 'listening')!;
      assert.equal(listening.bus, `kafka://${broker.brokers.join(',')}`);
      assert.equal(listening.store, store.url);
    }
  });
});
