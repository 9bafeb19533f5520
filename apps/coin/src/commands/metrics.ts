import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CoinError, formatPython2f, isObject } from '@coin/core';
import {
  aggregateMetrics,
  checkSameTasks,
  continualMetrics,
  parseMatrixFile,
  selectCells,
  selectTasks,
  type Cell,
  type ContinualMetrics,
  type MatrixFile,
  type ResultsMatrix,
  type Summary,
} from '@coin/metrics';
import type { CliContext } from '../context.js';

interface RunMetrics {
  readonly file: string;
  /** The tasks the metrics cover (after --tasks), for the check that aggregated runs agree. */
  readonly tasks: readonly string[];
  readonly accuracy: ContinualMetrics;
  readonly judge?: ContinualMetrics;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new CoinError(
      'METRICS.FILE_NOT_READABLE',
      'INVALID_ARGUMENT',
      `cannot read the matrix file ${file} (${code})`,
      {
        hint: 'check the path given with --matrix',
        details: { file },
      },
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CoinError(
      'METRICS.BAD_MATRIX',
      'INVALID_ARGUMENT',
      `${file} is not valid JSON: ${(e as Error).message}`,
      {
        hint: 'fix the JSON syntax at the position shown',
        details: { file },
      },
    );
  }
}

/**
 * A results.json of `coin run` (docs/file-formats.md#results-json): its accuracy and judge matrices.
 * Continual metrics need one stage per task, which the multitask run (one joint stage) has not.
 */
async function matricesOfResults(value: unknown, file: string): Promise<MatrixFile> {
  const { parseResults } = await import('@coin/pipeline');
  const run = parseResults(value, file);
  const { tasks } = run;
  if (run.accuracy.matrix.length !== tasks.length)
    throw new CoinError(
      'METRICS.NOT_CONTINUAL',
      'INVALID_ARGUMENT',
      `${file}: the ${run.method} run ${run.run_id} has ${run.accuracy.matrix.length} stage(s) for ${tasks.length} tasks; continual metrics need one stage per task`,
      { hint: '`coin report` shows the final scores of such a run', details: { file } },
    );
  return {
    accuracy: { tasks, rows: run.accuracy.matrix },
    zeroShot: run.accuracy.zero_shot,
    // A run whose judge did not run has no judge rows.
    judge: run.judge.matrix.length === tasks.length ? { tasks, rows: run.judge.matrix } : undefined,
    judgeZeroShot: run.judge.zero_shot,
  };
}

async function loadRun(file: string, tasks: readonly string[] | undefined): Promise<RunMetrics> {
  const value = readJson(file);
  // matrix.json has no "format" key; results.json names its format (and a wrong one is answered as such).
  const m = isObject(value) && 'format' in value ? await matricesOfResults(value, file) : parseMatrixFile(value, file);
  const pick = (x: ResultsMatrix): ResultsMatrix => (tasks ? selectTasks(x, tasks) : x);
  const row = (r: readonly Cell[] | undefined): readonly Cell[] | undefined =>
    tasks ? selectCells(r, m.accuracy, tasks) : r;
  return {
    file,
    tasks: pick(m.accuracy).tasks,
    accuracy: continualMetrics(pick(m.accuracy), row(m.zeroShot)),
    judge: m.judge ? continualMetrics(pick(m.judge), row(m.judgeZeroShot), 'judge_zero_shot') : undefined,
  };
}

/** The same file twice would count one run twice: a smaller interval for nothing. */
function checkDistinctFiles(files: readonly string[]): void {
  const seen = new Set<string>();
  for (const file of files) {
    const key = resolve(file);
    if (seen.has(key))
      throw new CoinError('METRICS.DUPLICATE_RUN', 'INVALID_ARGUMENT', `${file} is given twice to --matrix`, {
        hint: 'give each run once',
      });
    seen.add(key);
  }
}

const fmt = (x: Cell | undefined): string => (x === null || x === undefined ? 'n/a' : formatPython2f(x));

function describe(title: string, m: ContinualMetrics): string {
  return (
    `${title}\n` +
    `  MAA: ${fmt(m.MAA)}\n  final average: ${fmt(m.final_average)}\n  MFT (mean diagonal): ${fmt(m.MFT)}\n` +
    `  BWT: ${fmt(m.BWT)}\n  forgetting: ${fmt(m.forgetting)}\n` +
    `  FWT: ${fmt(m.FWT)}${m.FWT_unavailable ? ` (${m.FWT_unavailable})` : ''}\n` +
    `  AA per stage: ${m.AA.map(fmt).join(' ')}\n`
  );
}

function describeAggregate(
  title: string,
  agg: Partial<Record<string, Summary>>,
  runs: readonly ContinualMetrics[],
): string {
  const fwtGap = runs.find((r) => r.FWT_unavailable)?.FWT_unavailable;
  let out = `${title}\n`;
  for (const [k, s] of Object.entries(agg)) {
    if (!s || (k === 'FWT' && s.n === 0)) continue;
    const ci = s.ci95 ? ` (95% CI ${fmt(s.ci95[0])} .. ${fmt(s.ci95[1])})` : '';
    out += `  ${k}: ${fmt(s.mean)} ± ${fmt(s.std)}${ci}, n=${s.n}\n`;
  }
  if (!agg.FWT?.n && fwtGap) out += `  FWT: n/a (${fwtGap})\n`;
  return out;
}

/** `coin metrics`: continual-learning metrics from one or more results matrices. */
export function registerMetricsCommand(program: Command, ctx: CliContext): void {
  program
    .command('metrics')
    .description(
      'continual metrics (MAA, final average, MFT, BWT, forgetting, FWT) from matrix.json or results.json; several files are aggregated (mean, std, 95% t-interval)',
    )
    .requiredOption(
      '--matrix <file...>',
      'matrix.json: {"tasks": [...], "matrix": [[a00], [a10, a11], ...], "zero_shot"?, "judge"?, "judge_zero_shot"?}, or the results.json of `coin run` (its accuracy and judge matrices)',
    )
    .option('--tasks <names>', 'comma-separated subset of tasks (and their stages), e.g. all but ScienceQA')
    .option('--json', 'print JSON')
    .action(async (opts: { matrix: string[]; tasks?: string; json?: boolean }) => {
      const tasks = opts.tasks
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      checkDistinctFiles(opts.matrix);
      const runs: RunMetrics[] = [];
      for (const f of opts.matrix) runs.push(await loadRun(f, tasks));
      if (runs.length === 1) {
        const [r] = runs;
        if (opts.json)
          ctx.stdout.write(`${JSON.stringify({ ...r.accuracy, ...(r.judge ? { judge: r.judge } : {}) })}\n`);
        else
          ctx.stdout.write(
            describe('accuracy', r.accuracy) + (r.judge ? describe('judge (General Knowledge)', r.judge) : ''),
          );
        return;
      }
      checkSameTasks(runs);
      const aggregate = aggregateMetrics(runs.map((r) => r.accuracy));
      const judgeRuns = runs.filter((r) => r.judge).map((r) => r.judge!);
      const judgeAggregate = judgeRuns.length > 0 ? aggregateMetrics(judgeRuns) : undefined;
      if (opts.json) {
        ctx.stdout.write(
          `${JSON.stringify({ runs: runs.map((r) => ({ file: r.file, ...r.accuracy, ...(r.judge ? { judge: r.judge } : {}) })), aggregate, ...(judgeAggregate ? { judge_aggregate: judgeAggregate } : {}) })}\n`,
        );
      } else {
        ctx.stdout.write(
          describeAggregate(
            `accuracy over ${runs.length} runs`,
            aggregate,
            runs.map((r) => r.accuracy),
          ) +
            (judgeAggregate ? describeAggregate(`judge over ${judgeRuns.length} runs`, judgeAggregate, judgeRuns) : ''),
        );
      }
    });
}
