/**
 * The worker process of `coin run` (LocalProcessScheduler forks it) and the entrypoint of a worker
 * pod (KubernetesJobScheduler, docs/protocol.md#worker-pods): runs exactly one unit job of the
 * pipeline and reports progress and its result — to the parent over IPC, or in a pod to the
 * termination message, its progress as JSON lines on stdout (the pod's log).
 */
import { type CoinConfig, loadConfig, serveWorker } from '@coin/platform';
import type { UnitJob, WorkerEnvSpec } from '@coin/pipeline';

// Loaded lazily everywhere in this app (the CLI's --help must not load ONNX Runtime).
const { runUnitJob, workerUnitEnv } = await import('@coin/pipeline');

let config: CoinConfig | undefined;

serveWorker(async (unit, ctx) => {
  const { job, env } = unit as unknown as { job: UnitJob; env: WorkerEnvSpec };
  return runUnitJob(job, {
    ...workerUnitEnv(env, () => (config ??= loadConfig(process.env))),
    signal: ctx.signal,
    progress: (e) => ctx.progress(e as unknown as Record<string, unknown>),
  });
});
