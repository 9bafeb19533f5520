/**
 * The batch/v1 Job that runs one JobSpec (docs/protocol.md#worker-pods): one pod, or one per shard
 * (an Indexed Job), each running the worker container once with the unit in COIN_JOB_UNIT.
 * Pure: the same spec and settings give the same manifest, so a Job found by name can be checked
 * against the unit it should run (the `coin.io/unit-sha256` annotation).
 */
import type { V1Container, V1EnvFromSource, V1Job } from '@kubernetes/client-node';
import { CoinError, invalidArgument } from '@coin/core';
import type { CoinConfig } from '../../config/config.js';
import type { JobSpec } from '../../ports/job-scheduler.js';
import { dnsLabel, labelValue, unitDigest } from './names.js';
import { EXIT_PERMANENT, TERMINATION_LOG } from './termination.js';

export type KubernetesSettings = CoinConfig['kubernetes'];

/** The container every worker pod runs (podFailurePolicy's exit-code rule names it). */
export const WORKER_CONTAINER = 'worker';
/** Largest unit JSON a Job carries in COIN_JOB_UNIT: far below Linux's 128 KiB per environment string. */
export const MAX_UNIT_BYTES = 64 * 1024;

/** Labels and annotations of every Job (and its pods), read by the scheduler's watch and by the Helm chart. */
export const LABEL = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  managedBy: 'app.kubernetes.io/managed-by',
  partOf: 'app.kubernetes.io/part-of',
  runId: 'coin.io/run-id',
  unitKey: 'coin.io/unit-key',
  attempt: 'coin.io/attempt',
} as const;
export const ANNOTATION = {
  /** The JobSpec name, before it was made a DNS label. */
  jobName: 'coin.io/job-name',
  /** SHA-256 of COIN_JOB_UNIT. */
  unitDigest: 'coin.io/unit-sha256',
  shards: 'coin.io/shards',
} as const;
export const MANAGED_BY = 'coin-orchestrator';
export const COMPONENT = 'worker';

/** The `coin.io/*` labels of a JobSpec: which run, unit and attempt a Job is (values are shortened to fit labels). */
export function coinJobLabels(ids: { runId?: string; unitKey?: string; attempt?: number }): Record<string, string> {
  const labels: Record<string, string> = {};
  if (ids.runId !== undefined) labels[LABEL.runId] = ids.runId;
  if (ids.unitKey !== undefined) labels[LABEL.unitKey] = ids.unitKey;
  if (ids.attempt !== undefined) labels[LABEL.attempt] = String(ids.attempt);
  return labels;
}

/** The selector of every Job one scheduler (one instance) manages. */
export function instanceSelector(settings: KubernetesSettings): string {
  return `${LABEL.managedBy}=${MANAGED_BY},${LABEL.instance}=${settings.instance}`;
}

/** An Indexed Job: `count` shards (pods see JOB_COMPLETION_INDEX and COIN_JOB_SHARDS), `parallelism` at once. */
export interface Shards {
  readonly count: number;
  readonly parallelism?: number;
}

const META_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

export interface BuiltJob {
  readonly manifest: V1Job;
  readonly name: string;
  readonly digest: string;
}

export function buildJobManifest(spec: JobSpec, settings: KubernetesSettings, shards?: Shards): BuiltJob {
  const image = settings.trainerImage;
  if (image === undefined || image === '') {
    throw new CoinError('SCHEDULER.NO_IMAGE', 'FAILED_PRECONDITION', 'no worker image to run Kubernetes jobs with', {
      hint: 'set kubernetes.trainerImage (COIN_TRAINER_IMAGE), e.g. ghcr.io/acme/coin:1.0.0',
    });
  }
  const unitJson = JSON.stringify(spec.unit);
  const unitBytes = Buffer.byteLength(unitJson, 'utf8');
  if (unitBytes > MAX_UNIT_BYTES) {
    throw invalidArgument(
      'SCHEDULER.UNIT_TOO_LARGE',
      `job ${spec.name}: its unit is ${unitBytes} bytes of JSON; a Kubernetes job carries at most ${MAX_UNIT_BYTES}`,
      'put large inputs in the object store and pass their keys in the unit',
    );
  }
  if (shards !== undefined) checkShards(spec.name, shards);
  const name = dnsLabel(spec.name);
  const digest = unitDigest(unitJson);
  const { labels, annotations } = metadataOf(spec, settings, digest, shards);
  const deadline = spec.deadlineSeconds ?? settings.activeDeadlineSeconds;
  const manifest: V1Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: settings.namespace, labels, annotations },
    spec: {
      backoffLimit: settings.backoffLimit,
      ttlSecondsAfterFinished: settings.ttlSecondsAfterFinished,
      ...(deadline === undefined ? {} : { activeDeadlineSeconds: Math.ceil(deadline) }),
      ...(shards === undefined
        ? {}
        : {
            completionMode: 'Indexed',
            completions: shards.count,
            parallelism: shards.parallelism ?? shards.count,
          }),
      // A pod being stopped is not replaced before it is gone: two trainers never write one unit.
      podReplacementPolicy: 'Failed',
      podFailurePolicy: {
        rules: [
          // Evicted, preempted, node drained: not the unit's fault, and not counted.
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
          // The worker said no attempt can succeed (bad input): fail now, no retry.
          {
            action: 'FailJob',
            onExitCodes: { containerName: WORKER_CONTAINER, operator: 'In', values: [EXIT_PERMANENT] },
          },
        ],
      },
      template: {
        metadata: { labels, annotations },
        spec: {
          restartPolicy: 'Never',
          enableServiceLinks: false,
          automountServiceAccountToken: false,
          ...(settings.serviceAccount === undefined ? {} : { serviceAccountName: settings.serviceAccount }),
          ...(Object.keys(settings.nodeSelector).length === 0 ? {} : { nodeSelector: { ...settings.nodeSelector } }),
          ...(settings.tolerations.length === 0 ? {} : { tolerations: settings.tolerations.map((t) => ({ ...t })) }),
          securityContext: {
            runAsNonRoot: true,
            runAsUser: settings.runAsUser,
            runAsGroup: settings.runAsUser,
            fsGroup: settings.runAsUser,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [workerContainer(spec, settings, image, unitJson, shards)],
        },
      },
    },
  };
  return { manifest, name, digest };
}

function workerContainer(
  spec: JobSpec,
  settings: KubernetesSettings,
  image: string,
  unitJson: string,
  shards: Shards | undefined,
): V1Container {
  const limits: Record<string, string> = { ...settings.resources.limits };
  if (settings.gpus > 0) limits['nvidia.com/gpu'] = String(settings.gpus);
  const requests: Record<string, string> = { ...settings.resources.requests };
  const envFrom: V1EnvFromSource[] = [
    ...settings.envFromConfigMaps.map((name) => ({ configMapRef: { name } })),
    ...settings.envFromSecrets.map((name) => ({ secretRef: { name } })),
  ];
  return {
    name: WORKER_CONTAINER,
    image,
    imagePullPolicy: settings.imagePullPolicy,
    ...(settings.trainerCommand === undefined ? {} : { command: [...settings.trainerCommand] }),
    // `env` wins over `envFrom`: the job's own variables cannot be overridden by a shared ConfigMap.
    env: [
      { name: 'COIN_JOB_NAME', value: spec.name },
      { name: 'COIN_JOB_UNIT', value: unitJson },
      { name: 'COIN_EXECUTION_PROVIDER', value: settings.gpus > 0 ? 'cuda' : 'cpu' },
      ...(shards === undefined ? [] : [{ name: 'COIN_JOB_SHARDS', value: String(shards.count) }]),
    ],
    ...(envFrom.length === 0 ? {} : { envFrom }),
    resources: {
      ...(Object.keys(requests).length === 0 ? {} : { requests }),
      ...(Object.keys(limits).length === 0 ? {} : { limits }),
    },
    terminationMessagePath: TERMINATION_LOG,
    // A worker that crashed before writing its message leaves its log tail instead.
    terminationMessagePolicy: 'FallbackToLogsOnError',
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    },
  };
}

function metadataOf(
  spec: JobSpec,
  settings: KubernetesSettings,
  digest: string,
  shards: Shards | undefined,
): { labels: Record<string, string>; annotations: Record<string, string> } {
  const fromSpec: Record<string, string> = {};
  const fullValues: Record<string, string> = {};
  // The owner's labels first: labels the caller names itself win.
  const owned = spec.owner === undefined ? {} : coinJobLabels(spec.owner);
  for (const [key, value] of Object.entries({ ...owned, ...spec.labels })) {
    if (!META_KEY.test(key)) {
      throw invalidArgument('SCHEDULER.BAD_LABEL', `job ${spec.name}: ${JSON.stringify(key)} is not a label key`);
    }
    fromSpec[key] = labelValue(value);
    if (key.startsWith('coin.io/')) fullValues[key] = value;
  }
  fromSpec[LABEL.unitKey] ??= labelValue(spec.name);
  const labels: Record<string, string> = {
    ...settings.labels,
    ...fromSpec,
    [LABEL.name]: 'coin',
    [LABEL.instance]: settings.instance,
    [LABEL.component]: COMPONENT,
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.partOf]: 'coin',
  };
  const annotations: Record<string, string> = {
    ...settings.annotations,
    ...fullValues,
    [ANNOTATION.jobName]: spec.name,
    [ANNOTATION.unitDigest]: digest,
    ...(shards === undefined ? {} : { [ANNOTATION.shards]: String(shards.count) }),
  };
  return { labels, annotations };
}

function checkShards(name: string, shards: Shards): void {
  const ok = (n: number | undefined) => n === undefined || (Number.isInteger(n) && n >= 1 && n <= 10_000);
  if (!ok(shards.count) || !ok(shards.parallelism)) {
    throw invalidArgument(
      'SCHEDULER.BAD_SHARDS',
      `job ${name}: shards need an integer count (and parallelism) from 1 to 10000, got ${JSON.stringify(shards)}`,
    );
  }
}
