/**
 * What `coin run` and `coin sweep --local` share: the local store and output folder (checked
 * before anything runs), the judge backend of the runs, and the loop that executes each spec in
 * turn and writes its outputs to `<out>/<run id>/`.
 */
import { join, resolve } from 'node:path';
import { checkOutputDir } from '@coin/core';
import type { JudgeBackend } from '@coin/metrics';
import type { RunResults, RunSpec, UnitRunner } from '@coin/pipeline';
import { FilesystemObjectStore } from '@coin/platform';
import type { CliContext } from '../context.js';
import type { RunProgress } from './run-progress.js';

type Pipeline = typeof import('@coin/pipeline');

export interface LocalRuns {
  readonly storeDir: string;
  readonly out: string;
  readonly store: FilesystemObjectStore;
  readonly cacheDir: string;
  readonly env: { store: FilesystemObjectStore; cacheDir: string; session: ReturnType<CliContext['sessionOptions']> };
  /** The judge of the first spec (every spec of one command shares it). */
  readonly judge: JudgeBackend;
}

/** The store (`--store` or config storeDir) and `--out`, both checked as folders this command writes. */
export async function openLocalRuns(
  ctx: CliContext,
  pipeline: Pipeline,
  specs: readonly RunSpec[],
  flags: { store?: string; out: string },
): Promise<LocalRuns> {
  const storeDir = resolve(flags.store ?? ctx.getConfig().storeDir);
  const out = resolve(flags.out);
  // Both are folders this run writes into: a file in the way, or no way to create them, is a
  // usage error now, not a store error later.
  await checkOutputDir(storeDir, { flag: flags.store ? '--store' : 'the store (config storeDir)' });
  await checkOutputDir(out, { flag: '--out' });
  const store = new FilesystemObjectStore(storeDir);
  const cacheDir = join(storeDir, 'work');
  const judge = pipeline.makeJudgeBackend(specs[0].judge, {
    env: ctx.env,
    cacheDir: join(cacheDir, pipeline.JUDGE_CACHE_FOLDER),
    fidelity: specs[0].fidelity,
  });
  return { storeDir, out, store, cacheDir, env: { store, cacheDir, session: ctx.sessionOptions() }, judge };
}

/**
 * Each spec in turn through `executeRun`, its outputs written to `<out>/<run id>/`; `before` is told
 * which run starts, `after` gets each finished run and its folder. Returns every run's results.
 */
export async function executeEach(
  pipeline: Pipeline,
  runs: LocalRuns,
  specs: readonly RunSpec[],
  o: {
    readonly runner: UnitRunner;
    readonly progress: RunProgress;
    readonly signal: AbortSignal;
    readonly before?: (k: number, spec: RunSpec) => void;
    readonly after: (results: RunResults, dir: string) => void;
  },
): Promise<RunResults[]> {
  const all: RunResults[] = [];
  for (const [k, spec] of specs.entries()) {
    o.before?.(k, spec);
    const results = await pipeline.executeRun(spec, {
      store: runs.store,
      runner: o.runner,
      env: runs.env,
      judge: runs.judge,
      signal: o.signal,
      onEvent: (e) => o.progress.on(e),
    });
    o.progress.end();
    const dir = join(runs.out, results.run_id);
    await pipeline.writeRunOutputs(dir, [results]);
    all.push(results);
    o.after(results, dir);
  }
  return all;
}
