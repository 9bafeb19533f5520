/**
 * `coin run` (docs/protocol.md#coin-run): a spec planned into units, each unit computed only when
 * its manifest is not already in the store, in dependency order — world, base, then per stage its
 * training, its evaluation cells and their judge cells — and the results assembled from the units'
 * manifests. An interrupted run leaves every finished unit in the store (and a stage's snapshot
 * in the cache), so running it again continues where it stopped.
 */
import { hostname } from 'node:os';
import { CoinError } from '@coin/core';
import type { JudgeBackend } from '@coin/metrics';
import { type ObjectStore, unitState, type UnitManifest } from '@coin/platform';
import { loadBase, METHODS } from '@coin/training';
import { planRun } from '../plan/plan.js';
import type { EvalUnit, JudgeUnit, RunPlan, Unit } from '../plan/units.js';
import type { RunResults, UnitRecord } from '../results/results.js';
import { type RunSpec } from '../spec/run-spec.js';
import type { UnitEnv } from '../units/unit-env.js';
import { assembleResults } from './assemble.js';
import type { RunEvent } from './events.js';
import { jobRef, type UnitJob, type UnitRunner } from './jobs.js';

export interface ExecuteRunOptions {
  readonly store: ObjectStore;
  readonly runner: UnitRunner;
  /** The env the assembly reads with (its session options are recorded in results.json). */
  readonly env: Omit<UnitEnv, 'progress'>;
  /** The judge backend the runner's units use, for its label in results.json (absent: the cells' own). */
  readonly judge?: JudgeBackend;
  readonly onEvent?: (event: RunEvent) => void;
  readonly signal?: AbortSignal;
}

/** The label the judge cells recorded (every cell of a run has the same backend). */
function judgeLabelOf(
  plan: RunPlan,
  metas: ReadonlyMap<string, Readonly<Record<string, unknown>>>,
): string | undefined {
  const label = plan.judges.map((j) => metas.get(j.key)?.judge).find((l) => typeof l === 'string');
  return label as string | undefined;
}

/** The plan of a spec: the method's stages and, for a given base folder, its content key. */
export async function planFor(spec: RunSpec): Promise<RunPlan> {
  const method = METHODS.get(spec.method);
  const stagePlan =
    method.plan?.(spec.tasks, spec.hyper) ?? spec.tasks.map((t) => ({ name: t, tasks: [t], train: true }));
  const givenBaseKey = spec.base !== undefined ? (await loadBase(spec.base, spec.preset)).key : undefined;
  return planRun(spec, { stagePlan, ...(givenBaseKey ? { givenBaseKey } : {}) });
}

export async function executeRun(spec: RunSpec, o: ExecuteRunOptions): Promise<RunResults> {
  const started = new Date();
  const plan = await planFor(spec);
  const records: UnitRecord[] = [];
  const metas = new Map<string, Readonly<Record<string, unknown>>>();
  const emit = (e: RunEvent) => o.onEvent?.(e);

  /** done → its manifest's meta; corrupt → removed (to be recomputed); absent → undefined. */
  const lookup = async (unit: Unit): Promise<UnitManifest | undefined> => {
    const state = await unitState(o.store, unit.prefix, { verify: 'sha256' });
    if (state.state === 'done') return state.manifest;
    if (state.state === 'corrupt') {
      emit({ type: 'unit-corrupt', label: unit.label, reason: state.reason });
      await o.store.deletePrefix(unit.prefix);
    }
    return undefined;
  };
  /** A unit's meta and record, found in the store (cached) or just computed. */
  const finished = (
    unit: Unit,
    meta: Readonly<Record<string, unknown>>,
    run?: { readonly wall: number; readonly peakRssMb: number | null },
  ) => {
    metas.set(unit.key, meta);
    const wall = run?.wall ?? 0;
    records.push({
      key: unit.key,
      kind: unit.kind,
      label: unit.label,
      wall_s: wall,
      peak_rss_mb: run?.peakRssMb ?? null,
      cached: !run,
    });
    return wall;
  };
  const cached = (unit: Unit, manifest: UnitManifest) => {
    finished(unit, manifest.meta);
    emit({ type: 'unit-done', kind: unit.kind, label: unit.label, cached: true, wall_s: 0, units: 1 });
  };
  const compute = async (unit: Unit, job: UnitJob) => {
    o.signal?.throwIfAborted();
    emit({ type: 'unit-start', kind: unit.kind, label: unit.label });
    const t0 = performance.now();
    const { result, peakRssMb } = await o.runner.run(
      job,
      jobRef(unit),
      (event) => emit({ type: 'progress', label: unit.label, event }),
      o.signal,
    );
    const wall = (performance.now() - t0) / 1000;
    return { result, wall, peakRssMb };
  };
  const ensure = async (unit: Unit, job: UnitJob) => {
    const found = await lookup(unit);
    if (found) return cached(unit, found);
    const { result, wall, peakRssMb } = await compute(unit, job);
    finished(unit, result, { wall, peakRssMb });
    emit({ type: 'unit-done', kind: unit.kind, label: unit.label, cached: false, wall_s: wall, units: 1 });
  };
  /** The cells of one model (eval or judge) not yet in the store, computed in one job. */
  const ensureCells = async <C extends EvalUnit | JudgeUnit>(
    kind: 'eval' | 'judge',
    cells: readonly C[],
    job: (pending: readonly C[]) => UnitJob,
  ) => {
    const pending: C[] = [];
    for (const cell of cells) {
      const found = await lookup(cell);
      if (found) cached(cell, found);
      else pending.push(cell);
    }
    if (pending.length === 0) return;
    const first = pending[0];
    const stage = first.kind === 'eval' ? first.stage : first.eval.stage;
    const where = stage ? `${stage.index}` : 'base';
    // `evals after stage 2 GQA`; `judge 2/ImageNet,GQA` (as a judge cell's own label, its tasks joined).
    const label =
      kind === 'eval'
        ? stage
          ? `evals after ${stage.label}`
          : 'evals of the base'
        : `judge ${where}/${pending.map((c) => (c.kind === 'judge' ? c.eval.task : c.task)).join(',')}`;
    const { result, wall, peakRssMb } = await compute({ ...first, label }, job(pending));
    const byKey = (result.cells ?? {}) as Record<string, Record<string, unknown>>;
    // The job's wall time shared out over its cells in proportion to each cell's own (evenly when
    // the cells do not time themselves, as judge cells).
    const own = (m: Record<string, unknown> | undefined) => (typeof m?.wall_s === 'number' ? m.wall_s : 1);
    const cellsTotal = pending.reduce((s, c) => s + own(byKey[c.key]), 0);
    for (const cell of pending) {
      const meta = byKey[cell.key];
      if (!meta) throw new CoinError('RUN.CELL_MISSING', 'INTERNAL', `${cell.label} produced no result`);
      finished(cell, meta, { wall: wall * (own(meta) / (cellsTotal || 1)), peakRssMb });
    }
    emit({ type: 'unit-done', kind, label, cached: false, wall_s: wall, units: pending.length });
  };
  const ensureEvals = (cells: readonly EvalUnit[]) =>
    ensureCells('eval', cells, (pending) => {
      const stage = pending[0].stage;
      return { kind: 'eval', spec, base: plan.base, world: plan.world, ...(stage ? { stage } : {}), cells: pending };
    });
  const ensureJudges = (units: readonly JudgeUnit[]) =>
    ensureCells('judge', units, (pending) => ({ kind: 'judge', spec, world: plan.world, units: pending }));
  const judgesOf = (cells: readonly EvalUnit[]) => plan.judges.filter((j) => cells.includes(j.eval));

  emit({ type: 'plan', plan });
  await o.store.put(`runs/${plan.runId}/spec.json`, `${JSON.stringify(spec, null, 2)}\n`);
  await ensure(plan.world, { kind: 'prep', spec, unit: plan.world });
  if (plan.pretrainWorld) await ensure(plan.pretrainWorld, { kind: 'prep', spec, unit: plan.pretrainWorld });
  if (plan.base.kind === 'pretrain') await ensure(plan.base, { kind: 'pretrain', spec, unit: plan.base });
  if (plan.zeroShot.length > 0) {
    await ensureEvals(plan.zeroShot);
    await ensureJudges(judgesOf(plan.zeroShot));
  }
  for (const [k, stage] of plan.stages.entries()) {
    await ensure(stage, { kind: 'stage', spec, base: plan.base, world: plan.world, unit: stage });
    await ensureEvals(plan.evals[k]);
    await ensureJudges(judgesOf(plan.evals[k]));
  }
  const results = assembleResults({
    spec,
    plan,
    metas,
    records,
    judgeLabel: o.judge?.label ?? judgeLabelOf(plan, metas) ?? spec.judge.backend,
    threads: o.env.session.threads ?? null,
    executionProvider: o.env.session.executionProvider ?? 'cpu',
    started,
    host: hostname(),
  });
  await o.store.put(`runs/${plan.runId}/results.json`, `${JSON.stringify(results, null, 2)}\n`);
  return results;
}
