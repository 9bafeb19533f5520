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
import { runJudge } from '../units/judge.js';
import type { UnitEnv } from '../units/unit-env.js';
import { assembleResults } from './assemble.js';
import type { RunEvent } from './events.js';
import type { UnitJob, UnitRunner } from './jobs.js';

export interface ExecuteRunOptions {
  readonly store: ObjectStore;
  readonly runner: UnitRunner;
  /** The env judge units (run here) and the assembly read units with. */
  readonly env: Omit<UnitEnv, 'progress'>;
  readonly judge: JudgeBackend;
  readonly onEvent?: (event: RunEvent) => void;
  readonly signal?: AbortSignal;
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
    emit({ type: 'unit-done', kind: unit.kind, label: unit.label, cached: true, wall_s: 0 });
  };
  const compute = async (unit: Unit, job: UnitJob) => {
    o.signal?.throwIfAborted();
    emit({ type: 'unit-start', kind: unit.kind, label: unit.label });
    const t0 = performance.now();
    const { result, peakRssMb } = await o.runner.run(
      job,
      `${unit.kind}-${unit.key.slice(0, 16)}`,
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
    emit({ type: 'unit-done', kind: unit.kind, label: unit.label, cached: false, wall_s: wall });
  };
  /** The cells of one model not yet in the store, computed in one job. */
  const ensureEvals = async (cells: readonly EvalUnit[]) => {
    const pending: EvalUnit[] = [];
    for (const cell of cells) {
      const found = await lookup(cell);
      if (found) cached(cell, found);
      else pending.push(cell);
    }
    if (pending.length === 0) return;
    const stage = pending[0].stage;
    const label = stage ? `evals after ${stage.label}` : 'evals of the base';
    const unit = { ...pending[0], label };
    const { result, wall, peakRssMb } = await compute(unit, {
      kind: 'eval',
      spec,
      base: plan.base,
      world: plan.world,
      ...(stage ? { stage } : {}),
      cells: pending,
    });
    const byKey = (result.cells ?? {}) as Record<string, Record<string, unknown>>;
    // The job's wall time shared out over its cells in proportion to each cell's own.
    const cellsTotal = Object.values(byKey).reduce((s, m) => s + (m.wall_s as number), 0);
    for (const cell of pending) {
      const meta = byKey[cell.key];
      if (!meta) throw new CoinError('RUN.EVAL_MISSING', 'INTERNAL', `${cell.label} produced no result`);
      finished(cell, meta, { wall: wall * ((meta.wall_s as number) / cellsTotal), peakRssMb });
    }
    emit({ type: 'unit-done', kind: 'eval', label, cached: false, wall_s: wall });
  };
  const ensureJudges = async (units: readonly JudgeUnit[]) => {
    for (const unit of units) {
      const found = await lookup(unit);
      if (found) {
        cached(unit, found);
        continue;
      }
      o.signal?.throwIfAborted();
      const t0 = performance.now();
      const meta = await runJudge(unit, spec, plan.world, o.judge, { ...o.env, signal: o.signal, progress: () => {} });
      const wall = finished(unit, meta, { wall: (performance.now() - t0) / 1000, peakRssMb: null });
      emit({ type: 'unit-done', kind: 'judge', label: unit.label, cached: false, wall_s: wall });
    }
  };
  const judgesOf = (cells: readonly EvalUnit[]) => plan.judges.filter((j) => cells.includes(j.eval));

  emit({ type: 'plan', plan });
  await o.store.put(`runs/${plan.runId}/spec.json`, `${JSON.stringify(spec, null, 2)}\n`);
  await ensure(plan.world, { kind: 'prep', unit: plan.world });
  if (plan.pretrainWorld) await ensure(plan.pretrainWorld, { kind: 'prep', unit: plan.pretrainWorld });
  if (plan.base.kind === 'pretrain') await ensure(plan.base, { kind: 'pretrain', unit: plan.base });
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
    judge: o.judge,
    threads: o.env.session.threads ?? null,
    executionProvider: o.env.session.executionProvider ?? 'cpu',
    started,
    host: hostname(),
  });
  await o.store.put(`runs/${plan.runId}/results.json`, `${JSON.stringify(results, null, 2)}\n`);
  return results;
}
