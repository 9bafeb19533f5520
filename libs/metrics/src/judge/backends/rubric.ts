/**
 * The rubric judge (docs/protocol.md#rubric-judge): no LLM, deterministic, instant. Each reply is
 * the rubric's integer score as text ("7"), so CoIN's score parser reads it like a judge's.
 */
import type { JudgeBackend, JudgeReply, JudgeRunOptions, JudgeStats } from '../backend.js';
import { throwIfCancelled } from '../cancel.js';
import type { JudgeRequest } from '../requests.js';
import { rubricScore } from './rubric-score.js';

export class RubricJudge implements JudgeBackend {
  readonly name = 'rubric';
  readonly label = 'rubric';
  private answered = 0;

  async judge(requests: readonly JudgeRequest[], options: JudgeRunOptions = {}): Promise<JudgeReply[]> {
    const replies: JudgeReply[] = [];
    for (const request of requests) {
      throwIfCancelled(options.signal);
      replies.push({ id: request.id, text: String(rubricScore(request).score) });
      this.answered += 1;
      options.onProgress?.(replies.length, requests.length);
    }
    return replies;
  }

  stats(): JudgeStats {
    return { requests: this.answered, cacheHits: 0, retries: 0, refusals: 0, parseFailures: 0 };
  }
}

export function rubricJudge(): JudgeBackend {
  return new RubricJudge();
}
