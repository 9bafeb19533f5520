/**
 * The worker process of `coin run` (LocalProcessScheduler forks it): runs exactly one unit job of
 * the pipeline and reports progress and its result to the parent over IPC.
 */
import { FilesystemObjectStore, serveWorker } from '@coin/platform';
import type { UnitJob, WorkerEnvSpec } from '@coin/pipeline';

// Loaded lazily everywhere in this app (the CLI's --help must not load ONNX Runtime).
const { runUnitJob } = await import('@coin/pipeline');

serveWorker(async (unit, ctx) => {
  const { job, env } = unit as unknown as { job: UnitJob; env: WorkerEnvSpec };
  return runUnitJob(job, {
    store: new FilesystemObjectStore(env.storeRoot),
    cacheDir: env.cacheDir,
    session: { threads: env.threads, executionProvider: env.executionProvider },
    signal: ctx.signal,
    progress: (e) => ctx.progress(e as unknown as Record<string, unknown>),
  });
});
