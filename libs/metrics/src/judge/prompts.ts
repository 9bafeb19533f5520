/**
 * Judge prompt construction (docs/protocol.md#judge-prompts, CoIN's create_prompt.py): one [system, user] message pair
 * per merge.jsonl line, matched to the test item by str(question_id), written as
 * prompt_to_eval.json (indent 4, ASCII-escaped, as Python's json.dump writes it).
 * CoIN rule: the question is the test text minus its last line (the instruction; a one-line text
 * becomes empty), the ground truth is `answer`. CoIN_Grounding: the full text and `answer_bbox`.
 */
import { field, indexByQuestionId, strField } from '../io/access.js';
import { badInput } from '../io/errors.js';
import { dumpPyJson, pyDict, pyStr, type PyValue } from '../python/json.js';
import type { JsonDoc, Predictions } from '../scorers/types.js';
import { JUDGE_RULES, JUDGE_SYSTEM_MESSAGE, type JudgeRule } from './rules.js';

export interface JudgeMessage {
  readonly role: 'system' | 'user';
  readonly content: string;
}

/** The user message's fixed block layout. */
function judgeUserContent(question: string, groundTruth: string, answer: string, rule: JudgeRule): string {
  const { role, prompt } = JUDGE_RULES[rule];
  return (
    '[Context]\n' +
    `[Question]\n${question}\n\n` +
    `[Ground truth answer]\n${groundTruth}\n\n[End of ground truth answer]\n\n` +
    `[${role}]\n${answer}\n\n[End of ${role}]\n\n` +
    `[System]\n${prompt}\n\n`
  );
}

/** The question the judge sees for the CoIN rule: the text without its last line. */
export function questionWithoutInstruction(text: string): string {
  return text.split('\n').slice(0, -1).join('\n');
}

/** One judged answer: what the prompt is built from, and the prompt. */
export interface JudgeItem {
  /** str(question_id). */
  readonly id: string;
  readonly question: string;
  readonly groundTruth: string;
  readonly answer: string;
  readonly messages: readonly [JudgeMessage, JudgeMessage];
}

/** One item per merge.jsonl line, in its order. */
export function buildJudgeItems(testItems: JsonDoc, predictions: Predictions, rule: JudgeRule): JudgeItem[] {
  const { src } = testItems;
  const byId = indexByQuestionId(testItems.value, src, 'the test file', 'test item', (id) => pyStr(id));
  return predictions.records.map((rec) => {
    const id = pyStr(field(rec.value, 'question_id', rec.src, 'the prediction'));
    const q = byId.get(id);
    if (q === undefined)
      throw badInput(
        rec.src,
        `question_id ${id} is not in the test file ${src.file}`,
        `crash with KeyError: '${id}'`,
        'give the test file of the task that produced this merge.jsonl',
      );
    const answer = pyStr(field(rec.value, 'text', rec.src, 'the prediction'));
    let question: string;
    let groundTruth: string;
    if (rule === 'CoIN') {
      groundTruth = pyStr(field(q, 'answer', src, `test item ${id}`));
      question = questionWithoutInstruction(strField(q, 'text', src, `test item ${id}`));
    } else {
      question = pyStr(field(q, 'text', src, `test item ${id}`));
      groundTruth = pyStr(field(q, 'answer_bbox', src, `test item ${id}`));
    }
    const messages: [JudgeMessage, JudgeMessage] = [
      { role: 'system', content: JUDGE_SYSTEM_MESSAGE },
      { role: 'user', content: judgeUserContent(question, groundTruth, answer, rule) },
    ];
    return { id, question, groundTruth, answer, messages };
  });
}

export function buildJudgePrompts(
  testItems: JsonDoc,
  predictions: Predictions,
  rule: JudgeRule,
): Array<readonly [JudgeMessage, JudgeMessage]> {
  return buildJudgeItems(testItems, predictions, rule).map((item) => item.messages);
}

/** prompt_to_eval.json exactly as CoIN writes it. */
export function renderJudgePrompts(prompts: ReadonlyArray<readonly [JudgeMessage, JudgeMessage]>): string {
  const value: PyValue = prompts.map((pair) =>
    pair.map((m) =>
      pyDict([
        ['role', m.role],
        ['content', m.content],
      ]),
    ),
  );
  return dumpPyJson(value, 4);
}
