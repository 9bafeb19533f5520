/**
 * ScienceQA (docs/protocol.md#scorer-scienceqa): option-letter parsing over the official test split. Both fidelities
 * behave the same (the spec marks no BUG? here; the "a" → "A" article quirk is part of the metric).
 *
 * Parsing, in order: the whole output is one of A-E; or it is ≥3 code points, starts with an option
 * letter followed by ". "; or the first standalone single word character (Python's Unicode `\w`
 * with `\b` on both sides), upper-cased (Python's `str.upper`, so "ß" becomes "SS" and matches
 * nothing); else "FAILED". Missing predictions count as "FAILED".
 */
import { formatPython2f } from '@coin/core';
import { asList, field, hashKey, strField, typeName } from '../io/access.js';
import { badInput } from '../io/errors.js';
import { dumpPyJson, pyDict, pyStr, type PyDict, type PyValue } from '../python/json.js';
import type { JsonRecord } from '../io/read.js';
import { isPyWordChar, pyLen, pySlice } from '../python/text.js';
import type { Fidelity, ItemVerdict, JsonDoc, Predictions, ScoreReport } from './types.js';
import { pyUpper } from '../python/unicode14.js';

const OPTIONS = ['A', 'B', 'C', 'D', 'E'];

export interface ScienceQaInput {
  readonly pidSplits: JsonDoc;
  readonly problems: JsonDoc;
  readonly predictions: Predictions;
  readonly split?: string;
  readonly fidelity?: Fidelity;
}

/** The first match of Python's `\b(\w)\b`: a word character with non-word neighbours. */
export function firstStandaloneWordChar(text: string): string | undefined {
  const cps = Array.from(text);
  const word = cps.map((c) => isPyWordChar(c.codePointAt(0)!));
  for (let k = 0; k < cps.length; k += 1) {
    if (word[k] && (k === 0 || !word[k - 1]) && (k === cps.length - 1 || !word[k + 1])) return cps[k];
  }
  return undefined;
}

/** The option letter CoIN reads from a model output (or "FAILED"). */
export function parseScienceQaAnswer(text: string): string {
  if (OPTIONS.includes(text)) return text;
  if (pyLen(text) >= 3 && OPTIONS.includes(pySlice(text, 0, 1)) && pySlice(text, 1, 3) === '. ')
    return pySlice(text, 0, 1);
  const letter = firstStandaloneWordChar(text);
  return letter === undefined ? 'FAILED' : pyUpper(letter);
}

function predIndex(letter: string, choiceCount: number): number {
  const allowed = OPTIONS.slice(0, choiceCount);
  return allowed.includes(letter) ? OPTIONS.indexOf(letter) : -1;
}

export function scoreScienceQa(input: ScienceQaInput): ScoreReport {
  const fidelity = input.fidelity ?? 'coin';
  const split = input.split ?? 'test';
  const { pidSplits, problems } = input;
  const ids = asList(
    field(pidSplits.value, split, pidSplits.src, 'pid_splits.json'),
    pidSplits.src,
    `pid_splits.json["${split}"]`,
  );

  const byId = new Map<string, JsonRecord>();
  for (const rec of input.predictions.records) {
    const qid = field(rec.value, 'question_id', rec.src, 'the prediction');
    byId.set(hashKey(qid, rec.src, 'question_id'), rec);
  }

  // {idx: problems[idx] for idx in split}: duplicates collapse, first position kept.
  const splitProblems: Array<{ id: PyValue; key: string; prob: PyValue }> = [];
  const seen = new Set<string>();
  for (const id of ids) {
    const key = hashKey(id, problems.src, `an id in pid_splits.json["${split}"]`);
    if (typeof id !== 'string')
      throw badInput(
        pidSplits.src,
        `problem id ${pyStr(id)} is not a key of problems.json (keys are strings)`,
        'crash with KeyError',
      );
    const prob = field(problems.value, id, problems.src, 'problems.json');
    if (seen.has(key)) continue;
    seen.add(key);
    splitProblems.push({ id, key, prob });
  }
  if (splitProblems.length === 0)
    throw badInput(pidSplits.src, `split "${split}" has no problems`, 'crash with ZeroDivisionError');

  const correctList: PyValue[] = [];
  const incorrectList: PyValue[] = [];
  const results: PyDict = new Map();
  const outputs: PyDict = new Map();
  const verdicts: ItemVerdict[] = [];
  for (const { id, key, prob } of splitProblems) {
    const rec = byId.get(key);
    const pred = rec?.value;
    const where = rec ? rec.src : problems.src;
    const predText = pred ? strField(pred, 'text', where, 'the prediction') : 'FAILED';
    const prompt: PyValue = pred ? field(pred, 'prompt', where, 'the prediction') : 'Unknown';
    if (typeof prompt !== 'string')
      throw badInput(where, `"prompt" must be a string, got ${typeName(prompt)}`, 'crash with TypeError');
    const letter = parseScienceQaAnswer(predText);
    const choices = field(prob, 'choices', problems.src, `problem ${String(id)}`);
    if (!Array.isArray(choices) && typeof choices !== 'string')
      throw badInput(problems.src, `choices of problem ${String(id)} must be a list`, 'crash with TypeError');
    const idx = predIndex(letter, Array.isArray(choices) ? choices.length : pyLen(choices));
    const answer = field(prob, 'answer', problems.src, `problem ${String(id)}`);
    const answerIndex =
      typeof answer === 'bigint' ? Number(answer) : typeof answer === 'boolean' ? Number(answer) : undefined;
    if (answerIndex === undefined)
      throw badInput(
        problems.src,
        `answer of problem ${String(id)} must be an int, got ${typeName(answer)}`,
        'crash with TypeError',
      );
    if (answerIndex < -OPTIONS.length || answerIndex >= OPTIONS.length)
      throw badInput(
        problems.src,
        `answer ${answerIndex} of problem ${String(id)} is not an option index`,
        'crash with IndexError',
      );
    const truth = OPTIONS.at(answerIndex)!;
    const analysis = pyDict([
      ['question_id', id],
      ['parsed_ans', letter],
      ['ground_truth', truth],
      ['question', prompt],
      ['pred', predText],
      ['is_multimodal', prompt.includes('<image>')],
    ]);
    results.set(id as string, BigInt(idx));
    outputs.set(id as string, predText);
    const ok = idx === answerIndex;
    (ok ? correctList : incorrectList).push(analysis);
    verdicts.push({
      id: String(id),
      prediction: predText,
      expected: truth,
      score: ok ? 1 : 0,
      note: pred ? undefined : 'no prediction',
    });
  }

  const correct = correctList.length;
  const total = correctList.length + incorrectList.length;
  const accuracy = (correct / total) * 100; // the original divides first, then multiplies
  const output = pyDict([
    ['correct', correctList],
    ['incorrect', incorrectList],
  ]);
  const outputResult = pyDict([
    ['acc', accuracy],
    ['correct', BigInt(correct)],
    ['count', BigInt(total)],
    ['results', results],
    ['outputs', outputs],
  ]);
  return {
    task: 'ScienceQA',
    fidelity,
    samples: total,
    correct,
    accuracy,
    stdout: `Total: ${total}, Correct: ${correct}, Accuracy: ${formatPython2f(accuracy)}%\n`,
    files: [
      { name: 'output.jsonl', content: dumpPyJson(output, 2), mode: 'write' },
      { name: 'output_result.jsonl', content: dumpPyJson(outputResult, 2), mode: 'write' },
    ],
    verdicts,
  };
}
