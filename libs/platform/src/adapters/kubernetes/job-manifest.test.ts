import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { Job } from 'kubernetes-models/batch/v1';
import { resolveConfig } from '../../config/config.js';
import { isCoinErrorWith } from '../../testing/store-fixture.js';
import { buildJobManifest, coinJobLabels, type KubernetesSettings, MAX_UNIT_BYTES } from './job-manifest.js';
import { dnsLabel, labelValue } from './names.js';

const settings = (k8s: Record<string, unknown> = {}): KubernetesSettings =>
  resolveConfig({ kubernetes: { trainerImage: 'ghcr.io/acme/coin:1.0.0', ...k8s } }, {}).kubernetes;

const GPU = settings({
  instance: 'prod',
  gpus: 2,
  nodeSelector: { 'nvidia.com/gpu.present': 'true' },
  tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
  resources: { requests: { cpu: '4', memory: '16Gi' }, limits: { memory: '32Gi' } },
  serviceAccount: 'coin-worker',
  trainerCommand: ['node', '/app/worker.js'],
  envFromConfigMaps: ['coin-config'],
  envFromSecrets: ['coin-s3'],
  backoffLimit: 2,
  activeDeadlineSeconds: 7200,
  labels: { team: 'ml' },
  annotations: { 'example.com/owner': 'ml-platform' },
});

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** kubernetes-models checks types and enums but neither names nor label values: those are checked here. */
function assertValidJob(manifest: unknown): void {
  new Job(manifest as ConstructorParameters<typeof Job>[0]).validate();
  const job = manifest as { metadata: { name: string; labels: Record<string, string> } };
  assert.match(job.metadata.name, DNS_LABEL);
  assert.ok(job.metadata.name.length <= 63);
  for (const value of Object.values(job.metadata.labels)) {
    assert.ok(value.length <= 63 && LABEL_VALUE.test(value), `label value ${value}`);
  }
}

test('kubernetes-models rejects a broken Job, so the checks below can fail', () => {
  const { manifest } = buildJobManifest({ name: 'x', unit: {} }, settings());
  const broken = structuredClone(manifest) as { spec: { template: { spec: { restartPolicy: string } } } };
  broken.spec.template.spec.restartPolicy = 'Sometimes';
  assert.throws(() => assertValidJob(broken), /restartPolicy/);
});

test('a plain job: one pod, Never restarted, the failure policy, TTL, labels and the unit in COIN_JOB_UNIT', () => {
  const spec = {
    name: 'stage-0123456789abcdef-a1',
    unit: { job: { kind: 'stage' } },
    owner: { runId: 'run-42', unitKey: '0123456789abcdef', attempt: 1 },
  };
  const { manifest, name, digest } = buildJobManifest(spec, settings());
  assertValidJob(manifest);
  assert.equal(name, 'stage-0123456789abcdef-a1');
  const job = manifest.spec;
  assert.ok(job);
  assert.equal(job.backoffLimit, 0);
  assert.equal(job.ttlSecondsAfterFinished, 86_400);
  assert.equal(job.activeDeadlineSeconds, undefined);
  assert.equal(job.completionMode, undefined);
  assert.equal(job.podReplacementPolicy, 'Failed');
  assert.deepEqual(job.podFailurePolicy?.rules, [
    { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    { action: 'FailJob', onExitCodes: { containerName: 'worker', operator: 'In', values: [2] } },
  ]);
  const pod = job.template.spec;
  assert.equal(pod?.restartPolicy, 'Never');
  assert.equal(pod?.automountServiceAccountToken, false);
  const container = pod?.containers[0];
  assert.equal(container?.terminationMessagePath, '/dev/termination-log');
  assert.equal(container?.terminationMessagePolicy, 'FallbackToLogsOnError');
  assert.equal(container?.command, undefined, "unset trainerCommand: the image's entrypoint");
  const env = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value]));
  assert.deepEqual(env, {
    COIN_JOB_NAME: spec.name,
    COIN_JOB_UNIT: JSON.stringify(spec.unit),
    COIN_EXECUTION_PROVIDER: 'cpu',
  });
  assert.deepEqual(container?.resources, { requests: { cpu: '1', memory: '2Gi' } });
  assert.deepEqual(manifest.metadata?.labels, {
    'coin.io/run-id': 'run-42',
    'coin.io/unit-key': '0123456789abcdef',
    'coin.io/attempt': '1',
    'app.kubernetes.io/name': 'coin',
    'app.kubernetes.io/instance': 'coin',
    'app.kubernetes.io/component': 'worker',
    'app.kubernetes.io/managed-by': 'coin-orchestrator',
    'app.kubernetes.io/part-of': 'coin',
  });
  assert.deepEqual(job.template.metadata?.labels, manifest.metadata?.labels);
  assert.equal(manifest.metadata?.annotations?.['coin.io/unit-sha256'], digest);
  assert.match(digest, /^[0-9a-f]{64}$/);
});

test('a GPU job: nvidia.com/gpu limits, cuda, node selector, tolerations, account, env sources, deadline', () => {
  const { manifest } = buildJobManifest({ name: 'train', unit: {}, deadlineSeconds: 90.5 }, GPU);
  assertValidJob(manifest);
  const pod = manifest.spec?.template.spec;
  const container = pod?.containers[0];
  assert.deepEqual(container?.resources, {
    requests: { cpu: '4', memory: '16Gi' },
    limits: { memory: '32Gi', 'nvidia.com/gpu': '2' },
  });
  assert.equal(container?.env?.find((e) => e.name === 'COIN_EXECUTION_PROVIDER')?.value, 'cuda');
  assert.deepEqual(container?.command, ['node', '/app/worker.js']);
  assert.deepEqual(container?.envFrom, [{ configMapRef: { name: 'coin-config' } }, { secretRef: { name: 'coin-s3' } }]);
  assert.deepEqual(pod?.nodeSelector, { 'nvidia.com/gpu.present': 'true' });
  assert.deepEqual(pod?.tolerations, [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  assert.equal(pod?.serviceAccountName, 'coin-worker');
  assert.equal(manifest.spec?.activeDeadlineSeconds, 91, "the job's own deadline, rounded up, wins over the default");
  assert.equal(manifest.spec?.backoffLimit, 2);
  assert.equal(manifest.metadata?.labels?.team, 'ml');
  assert.equal(manifest.metadata?.labels?.['app.kubernetes.io/instance'], 'prod');
  assert.equal(manifest.metadata?.annotations?.['example.com/owner'], 'ml-platform');
  const defaulted = buildJobManifest({ name: 'train', unit: {} }, GPU).manifest;
  assert.equal(defaulted.spec?.activeDeadlineSeconds, 7200);
});

test('an Indexed job: completions and parallelism, COIN_JOB_SHARDS', () => {
  const { manifest } = buildJobManifest({ name: 'eval-cells', unit: {} }, settings(), { count: 8, parallelism: 3 });
  assertValidJob(manifest);
  assert.equal(manifest.spec?.completionMode, 'Indexed');
  assert.equal(manifest.spec?.completions, 8);
  assert.equal(manifest.spec?.parallelism, 3);
  const env = manifest.spec?.template.spec?.containers[0].env ?? [];
  assert.equal(env.find((e) => e.name === 'COIN_JOB_SHARDS')?.value, '8');
  assert.throws(
    () => buildJobManifest({ name: 'x', unit: {} }, settings(), { count: 0 }),
    isCoinErrorWith('SCHEDULER.BAD_SHARDS', 'INVALID_ARGUMENT'),
  );
});

test('names: kept when valid, else deterministic, at most 63 characters, hash-suffixed, distinct', () => {
  assert.equal(dnsLabel('stage-abc'), 'stage-abc');
  const long = `eval-${'x'.repeat(100)}`;
  assert.equal(dnsLabel(long), dnsLabel(long));
  assert.equal(dnsLabel(long).length, 63);
  assert.match(dnsLabel(long), /^eval-x+-[0-9a-f]{10}$/);
  assert.notEqual(dnsLabel('Stage_A'), dnsLabel('stage-a'));
  assert.match(dnsLabel('Stage_A'), /^stage-a-[0-9a-f]{10}$/);
  assert.match(dnsLabel('___'), /^x-[0-9a-f]{10}$/);
  const key = 'f'.repeat(64);
  assert.equal(labelValue(key).length, 63);
  assert.notEqual(labelValue(key), labelValue(`${'f'.repeat(63)}e`));
  const { manifest } = buildJobManifest(
    { name: long, unit: {}, labels: coinJobLabels({ unitKey: key, runId: 'run/with slash' }) },
    settings(),
  );
  assertValidJob(manifest);
  assert.equal(manifest.metadata?.annotations?.['coin.io/unit-key'], key, 'the full value is kept in an annotation');
  assert.equal(manifest.metadata?.annotations?.['coin.io/job-name'], long);
});

test('refused: no image, a unit too large for the Job, a bad label key', () => {
  assert.throws(
    () => buildJobManifest({ name: 'x', unit: {} }, resolveConfig(undefined, {}).kubernetes),
    isCoinErrorWith('SCHEDULER.NO_IMAGE', 'FAILED_PRECONDITION'),
  );
  assert.throws(
    () => buildJobManifest({ name: 'x', unit: { blob: 'x'.repeat(MAX_UNIT_BYTES) } }, settings()),
    isCoinErrorWith('SCHEDULER.UNIT_TOO_LARGE', 'INVALID_ARGUMENT'),
  );
  assert.throws(
    () => buildJobManifest({ name: 'x', unit: {}, labels: { 'bad key': 'v' } }, settings()),
    isCoinErrorWith('SCHEDULER.BAD_LABEL', 'INVALID_ARGUMENT'),
  );
});
