/**
 * Runs that differ only in their seed are repetitions of one experiment: the comparison aggregates
 * them (mean and 95% Student-t interval per metric). Anything else that differs (method, task
 * order, instruction variant, data fraction, method flags) makes another row.
 */
import { canonicalJson } from '@coin/core';
import { type Summary, summarize } from '@coin/metrics';
import type { MetricsRecord, RunResults } from '../results/results.js';
import { RECORD_METRICS, type RecordMetric, runMetrics } from './metrics-record.js';

/** Spec keys that never tell two experiments apart: the seed, and where the run was written. */
const NOT_THE_EXPERIMENT = new Set(['seed', 'run_id', 'out', 'store']);

export type MetricSummaries = Readonly<Partial<Record<RecordMetric, Summary>>>;

export interface RunGroup {
  /** The method's label, with the spec keys that tell it apart from a same-labelled group. */
  readonly label: string;
  readonly method: string;
  readonly runs: readonly RunResults[];
  readonly accuracy: MetricSummaries;
  readonly judge: MetricSummaries;
}

export interface GroupOptions {
  /**
   * Pool runs that differ only in their task order (of the same tasks) as well as their seed: the
   * intervals are then over seeds and orders (a sweep's orders axis).
   */
  readonly poolOrders?: boolean;
}

function experimentOf(run: RunResults, o: GroupOptions = {}): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(run.spec).filter(([k]) => !NOT_THE_EXPERIMENT.has(k) && !(o.poolOrders && k === 'tasks')),
  );
}

function keyOf(run: RunResults, o: GroupOptions): string {
  const tasks = o.poolOrders ? [...run.tasks].sort() : run.tasks;
  return canonicalJson({ method: run.method, label: run.label, tasks, spec: experimentOf(run, o) });
}

/** Mean and interval of each metric over the runs; FWT only when some run has it. */
function summaries(records: readonly MetricsRecord[]): MetricSummaries {
  const out: Partial<Record<RecordMetric, Summary>> = {};
  for (const k of RECORD_METRICS) {
    if (k === 'FWT' && records.every((r) => r.FWT === undefined)) continue;
    out[k] = summarize(records.map((r) => r[k] ?? null));
  }
  return out;
}

/** ` (order=[…], variant=diverse)`: what tells groups of the same label apart. */
function distinguishing(
  group: readonly RunResults[],
  sameLabel: readonly (readonly RunResults[])[],
  o: GroupOptions,
): string {
  const mine = experimentOf(group[0], o);
  const keys = new Set(sameLabel.flatMap((g) => Object.keys(experimentOf(g[0], o))));
  const differing = [...keys]
    .sort()
    .filter((k) =>
      sameLabel.some((g) => canonicalJson(experimentOf(g[0], o)[k] ?? null) !== canonicalJson(mine[k] ?? null)),
    );
  if (differing.length === 0) return ` (${group[0].tasks.join(', ')})`;
  return ` (${differing.map((k) => `${k}=${canonicalJson(mine[k] ?? null)}`).join(', ')})`;
}

/** Groups in the order their first run was given. */
export function groupRuns(runs: readonly RunResults[], options: GroupOptions = {}): RunGroup[] {
  const byKey = new Map<string, RunResults[]>();
  for (const run of runs) {
    const key = keyOf(run, options);
    const group = byKey.get(key);
    if (group) group.push(run);
    else byKey.set(key, [run]);
  }
  const groups = [...byKey.values()];
  return groups.map((group) => {
    const sameLabel = groups.filter((g) => g[0].label === group[0].label);
    const metrics = group.map((run) => runMetrics(run));
    return {
      label: sameLabel.length > 1 ? `${group[0].label}${distinguishing(group, sameLabel, options)}` : group[0].label,
      method: group[0].method,
      runs: [...group].sort((a, b) => a.seed - b.seed),
      accuracy: summaries(metrics.map((m) => m.accuracy)),
      judge: summaries(metrics.map((m) => m.judge)),
    };
  });
}
