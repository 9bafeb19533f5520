import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CoinError } from '@coin/core';
import { loadConfig, resolveConfig } from '../index.js';

test('defaults give an embedded, CPU, JSON-logging config', () => {
  const c = resolveConfig(undefined, {});
  assert.equal(c.mode, 'embedded');
  assert.equal(c.runtime.executionProvider, 'cpu');
  assert.equal(c.log.format, 'json');
  assert.deepEqual(c.kafka.brokers, []);
  assert.equal(c.kafka.idempotent, true);
});

test('COIN_KAFKA_IDEMPOTENT is true or false; COIN_KAFKA_MAX_WAIT_MS a whole number of ms', () => {
  const kafka = resolveConfig(undefined, { COIN_KAFKA_IDEMPOTENT: 'false', COIN_KAFKA_MAX_WAIT_MS: '100' }).kafka;
  assert.deepEqual([kafka.idempotent, kafka.maxWaitMs], [false, 100]);
  assert.equal(resolveConfig(undefined, {}).kafka.maxWaitMs, 1000);
  assert.throws(() => resolveConfig(undefined, { COIN_KAFKA_IDEMPOTENT: 'no' }), /kafka\.idempotent/);
  assert.throws(() => resolveConfig(undefined, { COIN_KAFKA_MAX_WAIT_MS: '5' }), /kafka\.maxWaitMs/);
});

test('environment overrides the file, and lists are comma-separated', () => {
  const c = resolveConfig(
    { log: { level: 'warn' }, kafka: { brokers: ['a:1'] } },
    {
      COIN_LOG_LEVEL: 'debug',
      COIN_KAFKA_BROKERS: 'k1:9092, k2:9092',
      COIN_THREADS: '2',
      PATH: '/bin',
    },
  );
  assert.equal(c.log.level, 'debug');
  assert.deepEqual(c.kafka.brokers, ['k1:9092', 'k2:9092']);
  assert.equal(c.runtime.threads, 2);
});

test('unknown keys are rejected with their path', () => {
  assert.throws(
    () => resolveConfig({ log: { levle: 'debug' } }, {}),
    (e: unknown) =>
      e instanceof CoinError && e.code === 'CONFIG.INVALID' && /log: unknown key\(s\) levle/.test(e.message),
  );
});

test('unknown COIN_* variables are rejected, naming the known ones', () => {
  assert.throws(
    () => resolveConfig(undefined, { COIN_LOGLEVEL: 'debug' }),
    (e: unknown) =>
      e instanceof CoinError && e.code === 'CONFIG.UNKNOWN_VARIABLE' && /COIN_LOG_LEVEL/.test(e.hint ?? ''),
  );
});

test('bad values say which key and why', () => {
  assert.throws(() => resolveConfig(undefined, { COIN_THREADS: 'many' }), /runtime\.threads/);
  assert.throws(() => resolveConfig(undefined, { COIN_EXECUTION_PROVIDER: 'tpu' }), /runtime\.executionProvider/);
  assert.throws(() => resolveConfig(undefined, { COIN_KAFKA_BROKERS: 'nohost' }), /kafka\.brokers\.0: host:port/);
});

test('the S3 store keys: prefix, part size in MiB (at least 5), createBucket as true or false', () => {
  const defaults = resolveConfig(undefined, {}).s3;
  assert.deepEqual(
    { prefix: defaults.prefix, partSizeMiB: defaults.partSizeMiB, createBucket: defaults.createBucket },
    { prefix: '', partSizeMiB: 16, createBucket: true },
  );
  const set = resolveConfig(undefined, {
    COIN_S3_PREFIX: 'coin/dev',
    COIN_S3_PART_SIZE_MIB: '8',
    COIN_S3_CREATE_BUCKET: 'false',
  }).s3;
  assert.deepEqual([set.prefix, set.partSizeMiB, set.createBucket], ['coin/dev', 8, false]);
  assert.throws(() => resolveConfig(undefined, { COIN_S3_PART_SIZE_MIB: '4' }), /s3\.partSizeMiB/);
  assert.throws(() => resolveConfig(undefined, { COIN_S3_CREATE_BUCKET: 'yes' }), /s3\.createBucket/);
});

test('a config file that is not JSON reports the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coin-config-'));
  const file = join(dir, 'coin.json');
  writeFileSync(file, '{"mode": ');
  assert.throws(
    () => loadConfig({}, file),
    (e: unknown) => e instanceof CoinError && e.message.includes(file),
  );
  assert.throws(() => loadConfig({}, join(dir, 'missing.json')), /cannot read config file/);
  writeFileSync(file, '{"mode": "cluster"}');
  assert.equal(loadConfig({ COIN_CONFIG: file }).mode, 'cluster');
});

test('a process brings its own defaults, below the file and COIN_* (the CLI logs pretty)', () => {
  const cli = { log: { format: 'pretty' } } as const;
  assert.equal(resolveConfig(undefined, {}, cli).log.format, 'pretty');
  assert.equal(resolveConfig(undefined, { COIN_LOG_FORMAT: 'json' }, cli).log.format, 'json');
  assert.equal(resolveConfig({ log: { format: 'json' } }, {}, cli).log.format, 'json');
  assert.equal(resolveConfig(undefined, {}, cli).log.level, 'info');
  assert.equal(loadConfig({ COIN_LOG_FORMAT: 'json' }, undefined, cli).log.format, 'json');
});

test('the kubernetes keys: defaults, COIN_K8S_* variables, strict values; COIN_JOB_* are a worker pod’s, not refused', () => {
  const k = resolveConfig(undefined, {}).kubernetes;
  assert.deepEqual(
    [k.instance, k.gpus, k.backoffLimit, k.ttlSecondsAfterFinished, k.imagePullPolicy, k.activeDeadlineSeconds],
    ['coin', 0, 0, 86_400, 'IfNotPresent', undefined],
  );
  assert.deepEqual(k.resources, { requests: { cpu: '1', memory: '2Gi' }, limits: {} });
  const set = resolveConfig(
    { kubernetes: { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] } },
    {
      COIN_K8S_GPUS: '1',
      COIN_K8S_BACKOFF_LIMIT: '2',
      COIN_K8S_ACTIVE_DEADLINE_SECONDS: '3600',
      COIN_K8S_SERVICE_ACCOUNT: 'coin-worker',
      COIN_JOB_UNIT: '{}',
      COIN_JOB_NAME: 'x',
    },
  ).kubernetes;
  assert.deepEqual(
    [set.gpus, set.backoffLimit, set.activeDeadlineSeconds, set.serviceAccount],
    [1, 2, 3600, 'coin-worker'],
  );
  assert.throws(() => resolveConfig(undefined, { COIN_K8S_GPUS: 'two' }), /kubernetes\.gpus/);
  assert.throws(() => resolveConfig({ kubernetes: { resources: { requests: { cpu: 'lots' } } } }, {}), /requests\.cpu/);
  assert.throws(() => resolveConfig({ kubernetes: { tolerations: [{ effect: 'Sometimes' }] } }, {}), /tolerations/);
  assert.throws(() => resolveConfig({ kubernetes: { gpu: 1 } }, {}), /unknown key\(s\) gpu/);
});

test('sweeps.maxActiveRuns: 2 unless COIN_SWEEP_MAX_ACTIVE_RUNS says another whole number from 1', () => {
  assert.equal(resolveConfig(undefined, {}).sweeps.maxActiveRuns, 2);
  assert.equal(resolveConfig(undefined, { COIN_SWEEP_MAX_ACTIVE_RUNS: '4' }).sweeps.maxActiveRuns, 4);
  assert.throws(() => resolveConfig(undefined, { COIN_SWEEP_MAX_ACTIVE_RUNS: '0' }), /sweeps\.maxActiveRuns/);
  assert.throws(() => resolveConfig(undefined, { COIN_SWEEP_MAX_ACTIVE_RUNS: '1.5' }), /sweeps\.maxActiveRuns/);
});
