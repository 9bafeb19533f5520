import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { z as Zod } from 'zod';
import { CoinError } from '@coin/core';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A Kubernetes resource quantity: `500m`, `2`, `8Gi`, `1.5e3`. */
const QUANTITY = /^[+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+|[KMGTPE]i|[mkMGTPE])?$/;
/** A label or annotation key: an optional DNS-subdomain prefix and `/`, then a name of up to 63 characters. */
const META_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** `kubernetes`: where and how KubernetesJobScheduler runs worker pods (docs/configuration.md#kubernetes). */
function kubernetesSchema(z: typeof Zod) {
  const quantities = z
    .object({
      cpu: z.string().regex(QUANTITY, 'a quantity').optional(),
      memory: z.string().regex(QUANTITY, 'a quantity').optional(),
    })
    .strict();
  const toleration = z
    .object({
      key: z.string().min(1).optional(),
      operator: z.enum(['Equal', 'Exists']).optional(),
      value: z.string().optional(),
      effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
      tolerationSeconds: z.number().int().min(0).optional(),
    })
    .strict();
  return z
    .object({
      namespace: z.string().regex(DNS_LABEL, 'a DNS-1123 label').default('coin'),
      /** `app.kubernetes.io/instance` of every Job (the Helm release); the scheduler watches only its own. */
      instance: z.string().regex(LABEL_VALUE, 'a label value').min(1).default('coin'),
      trainerImage: z.string().optional(),
      /** The worker container's command; unset, the image's entrypoint. */
      trainerCommand: z.array(z.string().min(1)).min(1).optional(),
      imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent'),
      /** `nvidia.com/gpu` per worker pod; above 0 the worker runs with executionProvider cuda. */
      gpus: z.number().int().min(0).max(16).default(0),
      nodeSelector: z
        .record(z.string().regex(META_KEY, 'a label key'), z.string().regex(LABEL_VALUE, 'a label value'))
        .default({}),
      tolerations: z.array(toleration).default([]),
      resources: z
        .object({ requests: quantities.default({}), limits: quantities.default({}) })
        .strict()
        .default({ requests: { cpu: '1', memory: '2Gi' }, limits: {} }),
      serviceAccount: z.string().regex(DNS_LABEL, 'a DNS-1123 label').optional(),
      /** UID (and GID) the worker runs as: pods pass the `restricted` Pod Security Standard. */
      runAsUser: z.number().int().min(1).default(1000),
      /** ConfigMaps and Secrets whose keys become the worker's environment (its COIN_* settings, S3 credentials). */
      envFromConfigMaps: z.array(z.string().regex(DNS_LABEL, 'a DNS-1123 name')).default([]),
      envFromSecrets: z.array(z.string().regex(DNS_LABEL, 'a DNS-1123 name')).default([]),
      /** Pod retries for crashes before the Job fails; disruptions never count. Retrying a unit is the orchestrator's. */
      backoffLimit: z.number().int().min(0).max(20).default(0),
      /** How long a finished Job (and its pods) is kept, s: longer than an orchestrator may stay down. */
      ttlSecondsAfterFinished: z.number().int().min(0).default(86_400),
      /** Deadline of a job that sets none, s; unset, none. */
      activeDeadlineSeconds: z.number().int().min(1).optional(),
      labels: z
        .record(z.string().regex(META_KEY, 'a label key'), z.string().regex(LABEL_VALUE, 'a label value'))
        .default({}),
      annotations: z.record(z.string().regex(META_KEY, 'an annotation key'), z.string()).default({}),
    })
    .strict()
    .prefault({});
}

/**
 * The one typed configuration of every CoIN-TS process. Sources, later wins: defaults, an optional
 * JSON file (`--config` / COIN_CONFIG), then COIN_* environment variables. Unknown keys and unknown
 * COIN_* variables are rejected, so a typo is an error instead of a silently ignored setting.
 */
function buildSchema(z: typeof Zod) {
  return z
    .object({
      /** embedded: one machine, in-process bus, local store. cluster: Kafka, S3, Kubernetes. */
      mode: z.enum(['embedded', 'cluster']).default('embedded'),
      /** Local object store root in embedded mode. */
      storeDir: z
        .string()
        .min(1)
        .default(join(homedir(), '.cache', 'coin')),
      log: z
        .object({
          level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
          /** json for services, pretty for a terminal. */
          format: z.enum(['json', 'pretty']).default('json'),
        })
        .strict()
        .default({ level: 'info', format: 'json' }),
      runtime: z
        .object({
          executionProvider: z.enum(['cpu', 'cuda']).default('cpu'),
          /** ONNX Runtime intra-op threads; 0 = one per core. */
          threads: z.number().int().min(0).max(1024).default(0),
        })
        .strict()
        .default({ executionProvider: 'cpu', threads: 0 }),
      /** `host:port` of the orchestrator the client commands call (coin submit, status, watch, cancel). */
      orchestrator: z
        .string()
        .regex(/^[^:\s]+:\d+$/, 'host:port')
        .optional(),
      sweeps: z
        .object({
          /** Runs of one sweep the orchestrator keeps in flight at once; the rest wait, PENDING. */
          maxActiveRuns: z.number().int().min(1).max(1000).default(2),
        })
        .strict()
        .default({ maxActiveRuns: 2 }),
      kafka: z
        .object({
          brokers: z.array(z.string().regex(/^[^:\s]+:\d+$/, 'host:port')).default([]),
          clientId: z.string().min(1).default('coin'),
          /** Idempotent producer; false only for a broker that cannot hand out producer ids (the local mock). */
          idempotent: z.boolean().default(true),
          /** Longest a consumer's fetch waits for new records, ms: the latency of a quiet topic's next event. */
          maxWaitMs: z.number().int().min(10).max(60_000).default(1000),
          /** How long the group waits for a silent member before handing its partitions on, ms (a crashed worker's). */
          sessionTimeoutMs: z.number().int().min(3000).max(300_000).default(30_000),
        })
        .strict()
        .default({ brokers: [], clientId: 'coin', idempotent: true, maxWaitMs: 1000, sessionTimeoutMs: 30_000 }),
      s3: z
        .object({
          /** Unset: `coin stack up` starts a local S3 server under the store; set: that server (MinIO, S3). */
          endpoint: z.string().url().optional(),
          region: z.string().default('us-east-1'),
          bucket: z.string().min(3).default('coin'),
          /** Key prefix inside the bucket ('' = the bucket's root), a store folder such as `coin/dev`. */
          prefix: z.string().default(''),
          accessKey: z.string().optional(),
          secretKey: z.string().optional(),
          /** Part size of multipart uploads in MiB; a blob up to this size goes in one PUT. */
          partSizeMiB: z.number().int().min(5).max(5120).default(16),
          /** Create the bucket on first use when it is absent. */
          createBucket: z.boolean().default(true),
        })
        .strict()
        .default({ region: 'us-east-1', bucket: 'coin', prefix: '', partSizeMiB: 16, createBucket: true }),
      kubernetes: kubernetesSchema(z),
    })
    .strict();
}

type ConfigSchema = ReturnType<typeof buildSchema>;
let schema: ConfigSchema | undefined;

/** Built on first use: zod takes ~70 ms to load, which commands that read no config (--help) need not pay. */
function configSchema(): ConfigSchema {
  schema ??= buildSchema((createRequire(import.meta.url)('zod') as { z: typeof Zod }).z);
  return schema;
}

export type CoinConfig = Zod.infer<ConfigSchema>;
export type CoinConfigInput = Zod.input<ConfigSchema>;

type Setter = (target: Record<string, unknown>, raw: string) => void;

function at(path: string[], parse: (raw: string) => unknown): Setter {
  return (target, raw) => {
    let node = target;
    for (const key of path.slice(0, -1)) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = parse(raw);
  };
}

const asString = (raw: string) => raw;
const asList = (raw: string) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const asNumber = (raw: string) => (raw.trim() === '' ? Number.NaN : Number(raw));
/** `true` or `false`; anything else is kept as the string, so validation names the key. */
const asBoolean = (raw: string) => (raw === 'true' ? true : raw === 'false' ? false : raw);

/** Every environment variable CoIN-TS reads, and where it lands. */
export const ENVIRONMENT: Readonly<Record<string, Setter>> = {
  COIN_MODE: at(['mode'], asString),
  COIN_STORE: at(['storeDir'], asString),
  COIN_LOG_LEVEL: at(['log', 'level'], asString),
  COIN_LOG_FORMAT: at(['log', 'format'], asString),
  COIN_EXECUTION_PROVIDER: at(['runtime', 'executionProvider'], asString),
  COIN_THREADS: at(['runtime', 'threads'], asNumber),
  COIN_ORCHESTRATOR: at(['orchestrator'], asString),
  COIN_SWEEP_MAX_ACTIVE_RUNS: at(['sweeps', 'maxActiveRuns'], asNumber),
  COIN_KAFKA_BROKERS: at(['kafka', 'brokers'], asList),
  COIN_KAFKA_CLIENT_ID: at(['kafka', 'clientId'], asString),
  COIN_KAFKA_IDEMPOTENT: at(['kafka', 'idempotent'], asBoolean),
  COIN_KAFKA_MAX_WAIT_MS: at(['kafka', 'maxWaitMs'], asNumber),
  COIN_KAFKA_SESSION_TIMEOUT_MS: at(['kafka', 'sessionTimeoutMs'], asNumber),
  COIN_S3_ENDPOINT: at(['s3', 'endpoint'], asString),
  COIN_S3_REGION: at(['s3', 'region'], asString),
  COIN_S3_BUCKET: at(['s3', 'bucket'], asString),
  COIN_S3_PREFIX: at(['s3', 'prefix'], asString),
  COIN_S3_ACCESS_KEY: at(['s3', 'accessKey'], asString),
  COIN_S3_SECRET_KEY: at(['s3', 'secretKey'], asString),
  COIN_S3_PART_SIZE_MIB: at(['s3', 'partSizeMiB'], asNumber),
  COIN_S3_CREATE_BUCKET: at(['s3', 'createBucket'], asBoolean),
  COIN_K8S_NAMESPACE: at(['kubernetes', 'namespace'], asString),
  COIN_TRAINER_IMAGE: at(['kubernetes', 'trainerImage'], asString),
  COIN_K8S_INSTANCE: at(['kubernetes', 'instance'], asString),
  COIN_K8S_IMAGE_PULL_POLICY: at(['kubernetes', 'imagePullPolicy'], asString),
  COIN_K8S_GPUS: at(['kubernetes', 'gpus'], asNumber),
  COIN_K8S_SERVICE_ACCOUNT: at(['kubernetes', 'serviceAccount'], asString),
  COIN_K8S_BACKOFF_LIMIT: at(['kubernetes', 'backoffLimit'], asNumber),
  COIN_K8S_TTL_SECONDS_AFTER_FINISHED: at(['kubernetes', 'ttlSecondsAfterFinished'], asNumber),
  COIN_K8S_ACTIVE_DEADLINE_SECONDS: at(['kubernetes', 'activeDeadlineSeconds'], asNumber),
};

/**
 * Variables a worker pod gets from KubernetesJobScheduler: its job, not configuration
 * (docs/protocol.md#worker-pods). They are read by the worker, not by the config.
 */
export const JOB_VARIABLES = ['COIN_JOB_NAME', 'COIN_JOB_UNIT', 'COIN_JOB_SHARDS', 'COIN_JOB_TERMINATION_LOG'] as const;

/** Variables that select the config rather than being part of it, or are a worker pod's job. */
const META_VARIABLES = new Set<string>(['COIN_CONFIG', ...JOB_VARIABLES]);

function mergeDeep(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? mergeDeep(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/**
 * Validates and resolves the configuration. `env` is passed in (the caller hands over
 * `process.env` once, at the process edge) so that tests and services never read it elsewhere.
 * `processDefaults` are one process's own defaults, below the file and the variables: the CLI,
 * read by people, logs `pretty` unless the file or COIN_LOG_FORMAT asks for `json`.
 */
export function resolveConfig(
  fileValues: unknown,
  env: Readonly<Record<string, string | undefined>>,
  processDefaults: CoinConfigInput = {},
): CoinConfig {
  if (
    fileValues !== undefined &&
    (typeof fileValues !== 'object' || fileValues === null || Array.isArray(fileValues))
  ) {
    throw new CoinError('CONFIG.INVALID', 'INVALID_ARGUMENT', 'the config file must hold one JSON object', {
      hint: 'write e.g. {"mode": "embedded", "log": {"level": "debug"}}',
    });
  }
  const fromEnv: Record<string, unknown> = {};
  const unknownVars: string[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('COIN_') || raw === undefined || META_VARIABLES.has(name)) continue;
    const setter = ENVIRONMENT[name];
    if (setter) setter(fromEnv, raw);
    else unknownVars.push(name);
  }
  if (unknownVars.length > 0) {
    throw new CoinError(
      'CONFIG.UNKNOWN_VARIABLE',
      'INVALID_ARGUMENT',
      `unknown environment variable ${unknownVars.sort().join(', ')}`,
      {
        hint: `CoIN-TS reads only ${Object.keys(ENVIRONMENT).join(', ')} (and COIN_CONFIG)`,
      },
    );
  }
  const fromFile = mergeDeep(processDefaults as Record<string, unknown>, (fileValues ?? {}) as Record<string, unknown>);
  const merged = mergeDeep(fromFile, fromEnv);
  const parsed = configSchema().safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const where = issue.path.join('.') || '<root>';
      return issue.code === 'unrecognized_keys'
        ? `${where}: unknown key(s) ${issue.keys.join(', ')}`
        : `${where}: ${issue.message}`;
    });
    throw new CoinError('CONFIG.INVALID', 'INVALID_ARGUMENT', `invalid configuration: ${problems.join('; ')}`, {
      hint: 'see `coin config --help` for every key and its COIN_* variable',
      details: { problems },
    });
  }
  return parsed.data;
}
