/**
 * The variables a worker pod gets from KubernetesJobScheduler (config.ts: JOB_VARIABLES): its job,
 * not configuration, so loadConfig lets them through and this reads them
 * (docs/protocol.md#worker-pods).
 */
export interface JobVariables {
  /** COIN_JOB_NAME: the JobSpec name. */
  readonly name: string | undefined;
  /** COIN_JOB_UNIT: the unit as JSON; set only in a worker pod. */
  readonly unit: string | undefined;
  /** COIN_JOB_SHARDS: the shard count of an Indexed job. */
  readonly shards: string | undefined;
  /** COIN_JOB_TERMINATION_LOG: where the answer goes instead of /dev/termination-log (a worker run outside Kubernetes). */
  readonly terminationLog: string | undefined;
}

export function readJobVariables(env: Readonly<Record<string, string | undefined>>): JobVariables {
  return {
    name: env.COIN_JOB_NAME,
    unit: env.COIN_JOB_UNIT,
    shards: env.COIN_JOB_SHARDS,
    terminationLog: env.COIN_JOB_TERMINATION_LOG,
  };
}
