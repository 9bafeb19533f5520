/**
 * One (task, stage) cell of the General-Knowledge matrix (docs/protocol.md#judge-run): the
 * backend's replies, parsed and aggregated as CoIN's evaluate_score.py does.
 */
import type { Fidelity } from '../scorers/types.js';
import type { JudgeBackend, JudgeReply, JudgeRunOptions } from './backend.js';
import type { JudgeRequest } from './requests.js';
import { aggregateJudgeScores } from './score.js';

export interface JudgeCellResult {
  /** In the requests' order. */
  readonly replies: readonly JudgeReply[];
  /** CoIN's integer 0–100 (aggregateJudgeScores). */
  readonly score: number;
  /** The same before rounding. */
  readonly scoreFull: number;
  readonly n: number;
  readonly parseFailures: number;
  readonly refusals: number;
}

export async function judgeCell(
  backend: JudgeBackend,
  requests: readonly JudgeRequest[],
  fidelity: Fidelity,
  options: JudgeRunOptions = {},
): Promise<JudgeCellResult> {
  const replies = await backend.judge(requests, options);
  const agg = aggregateJudgeScores(
    replies.map((r) => r.text),
    fidelity,
    { file: `the ${backend.label} judge's replies` },
  );
  return {
    replies,
    score: agg.score,
    scoreFull: agg.scoreFull,
    n: agg.n,
    parseFailures: agg.parseFailures,
    refusals: replies.filter((r) => r.refused === true).length,
  };
}
