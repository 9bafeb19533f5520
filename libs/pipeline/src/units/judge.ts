/**
 * The judge units (docs/protocol.md#the-judge): CoIN's judge prompts for one evaluated cell, the
 * backend's replies in judgements.jsonl, and the General-Knowledge score parsed from them in both
 * fidelities. One job judges the pending cells of one model, through the run's UnitRunner like every
 * other unit; the backend is the env's, or the spec's own made in the worker.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SYNTH_LAYOUT, TEST_FILE_OF_TASK, type CoinTask } from '@coin/data';
import { aggregateJudgeScores, type JudgeBackend, judgeRequests, readPyJsonFile, readPyJsonLines } from '@coin/metrics';
import type { JudgeUnit, PrepUnit } from '../plan/units.js';
import type { RunSpec } from '../spec/run-spec.js';
import { makeJudgeBackend } from './judge-backend.js';
import { publishUnit, type UnitEnv, unitFiles } from './unit-env.js';

export interface JudgeJob {
  readonly kind: 'judge';
  readonly spec: RunSpec;
  readonly world: PrepUnit;
  readonly units: readonly JudgeUnit[];
}

/** Where a worker's remote judge keeps its replies (beside the other units' work, by cache folder). */
export const JUDGE_CACHE_FOLDER = 'judge-cache';

/** The job's cells, each published on its own: `{ cells: { [key]: JudgeCellMeta } }`. */
export async function runJudges(job: JudgeJob, env: UnitEnv): Promise<Record<string, unknown>> {
  const backend =
    env.judge ??
    makeJudgeBackend(job.spec.judge, {
      env: process.env,
      cacheDir: join(env.cacheDir, JUDGE_CACHE_FOLDER),
      fidelity: job.spec.fidelity,
    });
  const cells: Record<string, JudgeCellMeta> = {};
  try {
    for (const [k, unit] of job.units.entries()) {
      env.signal?.throwIfAborted();
      cells[unit.key] = await runJudge(unit, job.spec, job.world, backend, env);
      env.progress({ type: 'judge', task: unit.eval.task, done: k + 1, total: job.units.length });
    }
  } finally {
    if (!env.judge) await backend.close?.();
  }
  return { cells };
}

export interface JudgeCellMeta extends Record<string, unknown> {
  readonly task: string;
  readonly score: { readonly coin: number; readonly strict: number };
  readonly n: number;
  readonly parse_failures: number;
  readonly refusals: number;
  readonly judge: string;
}

export async function runJudge(
  unit: JudgeUnit,
  spec: RunSpec,
  world: PrepUnit,
  backend: JudgeBackend,
  env: UnitEnv,
): Promise<JudgeCellMeta> {
  const task = unit.eval.task as CoinTask;
  const dataDir = await unitFiles(env, world.prefix);
  const testFile = join(dataDir, SYNTH_LAYOUT.instructions(spec.variant, task, TEST_FILE_OF_TASK[task]));
  const mergeFile = join(await unitFiles(env, unit.eval.prefix), 'merge.jsonl');
  const testItems = { value: readPyJsonFile(testFile, 'test file'), src: { file: testFile } };
  const predictions = { file: mergeFile, records: readPyJsonLines(mergeFile, 'merge.jsonl') };
  const requests = judgeRequests(task, testItems, predictions);
  const replies = await backend.judge(requests, { signal: env.signal });
  const texts = replies.map((r) => r.text);
  const coin = aggregateJudgeScores(texts, 'coin');
  const strict = aggregateJudgeScores(texts, 'strict');
  return (await publishUnit(env, unit, 'judge', async (files) => {
    const lines = replies.map((r, i) =>
      JSON.stringify({
        question_id: requests[i].id,
        prompt: requests[i].messages[1].content,
        text: r.text,
        refused: r.refused ?? false,
      }),
    );
    await writeFile(join(files, 'judgements.jsonl'), lines.length ? `${lines.join('\n')}\n` : '');
    const meta: JudgeCellMeta = {
      task,
      score: { coin: coin.score, strict: strict.score },
      n: coin.n,
      parse_failures: spec.fidelity === 'coin' ? coin.parseFailures : strict.parseFailures,
      refusals: replies.filter((r) => r.refused).length,
      judge: backend.label,
    };
    return meta;
  })) as JudgeCellMeta;
}
