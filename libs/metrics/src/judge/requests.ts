/**
 * What a judge backend is asked (docs/protocol.md#judge-run): one request per merge.jsonl line,
 * with CoIN's [system, user] prompt (buildJudgePrompts) and the parts it is built from, so that a
 * backend without an LLM (the rubric) can read them without parsing the prompt back.
 */
import type { JsonDoc, Predictions, TaskName } from '../scorers/types.js';
import { buildJudgeItems, type JudgeMessage } from './prompts.js';
import { judgeRuleForTask, type JudgeRule } from './rules.js';

export interface JudgeRequest {
  /** str(question_id) of the prediction. */
  readonly id: string;
  readonly task: TaskName;
  /** CoIN's [system, user] pair, exactly as prompt_to_eval.json holds it. */
  readonly messages: readonly [JudgeMessage, JudgeMessage];
  /** The question the judge sees (CoIN rule: the test text without its instruction line). */
  readonly question: string;
  /** The test item's `answer` (CoIN rule) or `answer_bbox` (CoIN_Grounding). */
  readonly groundTruth: string;
  /** The model's output (merge.jsonl's `text`). */
  readonly answer: string;
  readonly rule: JudgeRule;
}

/**
 * The requests for one (task, stage) cell, in merge.jsonl's order. testItems: the task's CoIN test
 * file ({question_id, text, answer | answer_bbox}); predictions: merge.jsonl ({question_id, text}).
 */
export function judgeRequests(task: TaskName, testItems: JsonDoc, predictions: Predictions): JudgeRequest[] {
  const rule = judgeRuleForTask(task);
  return buildJudgeItems(testItems, predictions, rule).map((item) => ({
    id: item.id,
    task,
    messages: item.messages,
    question: item.question,
    groundTruth: item.groundTruth,
    answer: item.answer,
    rule,
  }));
}
