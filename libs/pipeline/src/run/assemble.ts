/** results.json from the units' manifests (docs/file-formats.md#results-json). */
import { cpus, platform, release } from 'node:os';
import { ortVersion } from '@coin/runtime';
import type { RunPlan } from '../plan/units.js';
import { UNITS_CODE_VERSION } from '../plan/units.js';
import { metricsRecord } from '../report/metrics-record.js';
import { type Cell, RESULTS_FORMAT, type RunResults, type UnitRecord } from '../results/results.js';
import { METHOD_CATALOGUE } from '../spec/method-catalogue.js';
import type { RunSpec } from '../spec/run-spec.js';

export interface AssembleInputs {
  readonly spec: RunSpec;
  readonly plan: RunPlan;
  readonly metas: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  readonly records: readonly UnitRecord[];
  /** The judge backend's label (judge-backend.ts). */
  readonly judgeLabel: string;
  readonly threads: number | null;
  readonly executionProvider: string;
  readonly started: Date;
  readonly host: string;
}

type Pair = { readonly coin: number; readonly strict: number };

/** One row per stage of the plan, each as long as the tasks it evaluates; every cell null until filled. */
function emptyMatrix(plan: RunPlan, t: number, square: boolean): Cell[][] {
  return plan.stages.map((s) => Array<Cell>(square ? t : s.row + 1).fill(null));
}

export function assembleResults(a: AssembleInputs): RunResults {
  const { spec, plan, metas } = a;
  const t = spec.tasks.length;
  const primary = spec.fidelity;
  const other = primary === 'coin' ? 'strict' : 'coin';
  const acc = emptyMatrix(plan, t, spec.fullMatrix);
  const accOther = emptyMatrix(plan, t, spec.fullMatrix);
  const judge = emptyMatrix(plan, t, spec.fullMatrix);
  const zeroAcc: Cell[] = Array<Cell>(t).fill(null);
  const zeroJudge: Cell[] = Array<Cell>(t).fill(null);
  const judgeOf = new Map(plan.judges.map((j) => [j.eval.key, j]));
  let parseFailures = 0;
  let refusals = 0;
  for (const cell of [...plan.zeroShot, ...plan.evals.flat()]) {
    const e = metas.get(cell.key)?.accuracy as Pair | undefined;
    const jm = metas.get(judgeOf.get(cell.key)?.key ?? '');
    const g = jm?.score as Pair | undefined;
    parseFailures += Number(jm?.parse_failures ?? 0);
    refusals += Number(jm?.refusals ?? 0);
    if (!cell.stage) {
      zeroAcc[cell.column] = e?.[primary] ?? null;
      zeroJudge[cell.column] = g?.[primary] ?? null;
      continue;
    }
    const row = cell.stage.index - 1;
    acc[row][cell.column] = e?.[primary] ?? null;
    accOther[row][cell.column] = e?.[other] ?? null;
    judge[row][cell.column] = g?.[primary] ?? null;
  }
  const zero = plan.zeroShot.length > 0;
  const stageRecord = (key: string) => a.records.find((r) => r.key === key);
  const finished = new Date();
  return {
    format: RESULTS_FORMAT,
    run_id: plan.runId,
    spec: spec as unknown as Record<string, unknown>,
    method: spec.method,
    label: methodLabel(spec),
    seed: spec.seed,
    tasks: spec.tasks,
    accuracy: { fidelity: primary, matrix: acc, other_matrix: accOther, ...(zero ? { zero_shot: zeroAcc } : {}) },
    judge: {
      backend: spec.judge.backend,
      label: a.judgeLabel,
      matrix: judge,
      ...(zero ? { zero_shot: zeroJudge } : {}),
      parse_failures: parseFailures,
      refusals,
    },
    metrics: {
      accuracy: metricsRecord(acc, spec.tasks, zero ? zeroAcc : undefined),
      judge: metricsRecord(judge, spec.tasks, zero ? zeroJudge : undefined),
    },
    environment: {
      node: process.version,
      ort: ortVersion(),
      execution_provider: a.executionProvider,
      threads: a.threads,
      cpu: cpus()[0]?.model ?? 'unknown',
      cpus: cpus().length,
      platform: `${platform()} ${release()} (${a.host})`,
      code_version: UNITS_CODE_VERSION,
    },
    stages: plan.stages.map((s, k) => {
      const r = stageRecord(s.key);
      const evals = plan.evals[k].map((e) => stageRecord(e.key)?.wall_s ?? 0);
      return {
        stage: s.index,
        name: s.name,
        train_s: r?.wall_s ?? 0,
        eval_s: evals.reduce((x, y) => x + y, 0),
        peak_rss_mb: r?.peak_rss_mb ?? null,
      };
    }),
    units: a.records,
    timings: {
      total_s: (finished.getTime() - a.started.getTime()) / 1000,
      started_at: a.started.toISOString(),
      finished_at: finished.toISOString(),
    },
  };
}

/** `lora`, `moelora experts=4`: the method and the parameters the spec sets away from its defaults. */
export function methodLabel(spec: RunSpec): string {
  const defaults = METHOD_CATALOGUE.resolve(spec.method, spec.preset, {}) as Record<string, unknown>;
  const parts = Object.entries(spec.hyper as Record<string, unknown>)
    .filter(([k, v]) => typeof v !== 'object' && v !== defaults[k])
    .map(([k, v]) => `${k}=${String(v)}`);
  return [spec.method, ...parts].join(' ');
}
