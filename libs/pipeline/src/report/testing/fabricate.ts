/**
 * Fabricated but realistic results.json contents for the report's tests: CoIN's eight tasks, the
 * published LLaVA LoRA matrix (docs/protocol.md#published-numbers) jittered per seed, a judge matrix
 * that forgets less, the multitask upper bound (one joint stage) and the zero-shot lower bound.
 */
import { Rng } from '@coin/core';
import { type Cell, RESULTS_FORMAT, type RunResults } from '../../results/results.js';
import { runMetrics } from '../metrics-record.js';

export const TASKS = ['ScienceQA', 'TextVQA', 'ImageNet', 'GQA', 'VizWiz', 'Grounding', 'VQAv2', 'OCRVQA'];

// docs/protocol.md#published-numbers: LLaVA-7B LoRA, default order. Row j = after stage j; the
// published files lack ScienceQA between its own stage and the last.
export const LLAVA_LORA: Cell[][] = [
  [82.45],
  [null, 49.99],
  [null, 0.04, 96.05],
  [null, 18.62, 6.42, 56.4],
  [null, 25.13, 4.7, 40.08, 55.45],
  [null, 0.0, 0.0, 7.25, 0.05, 31.27],
  [null, 36.83, 8.43, 50.18, 22.77, 2.49, 62.2],
  [21.26, 28.74, 10.25, 36.78, 32.45, 0.83, 42.5, 57.08],
];
// VizWiz: the base model is nearly as good as the multitask model (small headroom).
const ZERO_SHOT = [39.5, 2.88, 0.33, 12.4, 49.6, 0.2, 18.6, 1.1];
const MULTITASK = [80.1, 55.2, 90.3, 58.8, 52.0, 35.5, 64.9, 60.4];
const JUDGE_DIAG = [92, 75, 97, 72, 42, 58, 75, 78];
const JUDGE_FINAL = [82, 74, 55, 56, 47, 52, 58, 78];

export type Kind = 'lora' | 'multitask' | 'zeroshot';

function jitter(rng: Rng, rows: readonly (readonly Cell[])[], spread: number): Cell[][] {
  return rows.map((row) =>
    row.map((v) => (v === null ? null : Math.min(100, Math.max(0, v + (rng.next() - 0.5) * 2 * spread)))),
  );
}

function lowerTriangular(value: (j: number, i: number) => Cell): Cell[][] {
  return TASKS.map((_, j) => TASKS.slice(0, j + 1).map((__, i) => value(j, i)));
}

function matrices(kind: Kind): { accuracy: Cell[][]; judge: Cell[][] } {
  if (kind === 'multitask') return { accuracy: [MULTITASK], judge: [MULTITASK.map((v) => Math.min(100, v + 15))] };
  if (kind === 'zeroshot')
    return {
      accuracy: lowerTriangular((_, i) => ZERO_SHOT[i]),
      judge: lowerTriangular((_, i) => Math.min(100, ZERO_SHOT[i] + 40)),
    };
  const judge = lowerTriangular((j, i) => {
    if (j === i) return JUDGE_DIAG[i];
    if (j === TASKS.length - 1) return JUDGE_FINAL[i];
    return (JUDGE_DIAG[i] * (TASKS.length - 1 - j) + JUDGE_FINAL[i] * (j - i)) / (TASKS.length - 1 - i);
  });
  return { accuracy: LLAVA_LORA, judge };
}

/** One run's results.json object, as `coin run` writes it. */
export function fabricateRun(kind: Kind, seed: number): RunResults {
  const rng = new Rng(seed * 7919 + kind.length);
  const m = matrices(kind);
  const accuracy = jitter(rng, m.accuracy, kind === 'zeroshot' ? 0.5 : 2);
  const judge = jitter(rng, m.judge, 3).map((row) => row.map((v) => (v === null ? null : Math.round(v))));
  const other = accuracy.map((row) => row.map((v) => (v === null ? null : Math.max(0, v - rng.next() * 3))));
  const stages = accuracy.map((_, j) => ({
    stage: j + 1,
    name: kind === 'multitask' ? 'multitask' : TASKS[j],
    train_s: kind === 'zeroshot' ? 0 : (kind === 'multitask' ? 900 : 110) + rng.next() * 20,
    eval_s: 30 + rng.next() * 10 * (j + 1),
    // One stage's measurement is missing (drawn n/a).
    peak_rss_mb:
      kind === 'lora' && seed === 2 && j === 2 ? null : (kind === 'zeroshot' ? 300 : 1400) + rng.next() * 200,
  }));
  const tasks = TASKS;
  const runId = `${kind}-s${seed}-${(seed * 2654435761) % 1e8}`;
  const base = {
    format: RESULTS_FORMAT as typeof RESULTS_FORMAT,
    run_id: runId,
    spec: { model: 'coin-tiny', method: kind, tasks, variant: 'original', fraction: 1, seed, preset: 'tiny' },
    method: kind,
    label: kind === 'lora' ? 'LoRA' : kind,
    seed,
    tasks,
    accuracy: { fidelity: 'coin' as const, matrix: accuracy, other_matrix: other },
    judge: { backend: 'rubric', label: 'rubric', matrix: judge, parse_failures: 0, refusals: 0 },
    environment: {
      node: 'v20.19.2',
      ort: '1.30.0',
      execution_provider: 'cpu',
      threads: 2,
      cpu: 'Intel(R) Xeon(R) CPU @ 2.20GHz',
      cpus: 2,
      platform: 'linux x64',
      code_version: '0.1.0+6066efa',
    },
    stages,
    units: stages.map((s) => ({
      key: `${runId}-stage-${s.stage}`,
      kind: 'stage',
      label: `stage ${s.stage} ${s.name}`,
      wall_s: s.train_s,
      peak_rss_mb: s.peak_rss_mb,
      cached: false,
    })),
    timings: {
      total_s: stages.reduce((a, s) => a + s.train_s + s.eval_s, 0),
      started_at: '2026-05-04T10:00:00.000Z',
      finished_at: '2026-05-04T10:41:07.000Z',
    },
  };
  return { ...base, metrics: runMetrics(base) };
}

/** The set the browser test renders: LoRA, multitask and zero-shot, two seeds each. */
export function fabricateSet(): RunResults[] {
  return (['lora', 'multitask', 'zeroshot'] as const).flatMap((kind) => [fabricateRun(kind, 1), fabricateRun(kind, 2)]);
}
