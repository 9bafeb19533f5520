/**
 * The rubric judge's score (docs/protocol.md#rubric-judge): a deterministic 0–10 agreement of an
 * answer's content with the ground truth, whatever the answer's format. Rules, first that applies:
 *   box     the ground truth is a box (CoIN_Grounding rule, or a bracketed box): round(10 · IoU)
 *           with the first box in the answer, 0 where there is none;
 *   empty   an answer without a letter or digit scores 0 (10 if the ground truth has none either);
 *   unanswerable  a declining answer ("Unanswerable", "I can't tell") scores 10 where the ground
 *           truth declines too, else 0; a declining ground truth gives any other answer 0;
 *   option  the question lists options and the ground truth names one: 10 if the answer picks the
 *           same option (by letter or by text), 0 if it picks another or several; an answer that
 *           picks none is compared with the ground truth's option text by the rules below;
 *   yes/no  ground truth "yes" or "no": the answer's first yes or no decides, 10 or 0;
 *   number  ground truth one number: 10 if it is the answer's only number, 0 if the answer has
 *           numbers but not this one, token-f1 if it has this one among others;
 *   exact   the same tokens: 10;
 *   contained  the ground truth's tokens run inside the answer with at most 4 other content words
 *           ("The answer is a red cube." for "red cube"): 10;
 *   token-f1   otherwise round(10 · F1) of the content tokens.
 * Tokens: rubric-text.ts (case, punctuation, articles and number words removed or unified).
 */
import type { JudgeRule } from '../rules.js';
import { boxScore, findBox, isBoxText } from './rubric-box.js';
import { chosenOption, parseOptions } from './rubric-options.js';
import {
  contentTokens,
  indexOfRun,
  isFiller,
  isNumberToken,
  isUnanswerable,
  rubricTokens,
  tokenF1,
} from './rubric-text.js';

export type RubricRule =
  | 'box'
  | 'empty'
  | 'unanswerable'
  | 'option'
  | 'yes/no'
  | 'number'
  | 'exact'
  | 'contained'
  | 'token-f1';

export interface RubricInput {
  readonly question: string;
  readonly groundTruth: string;
  readonly answer: string;
  readonly rule: JudgeRule;
}

export interface RubricVerdict {
  /** An integer 0–10. */
  readonly score: number;
  /** The rule that decided it. */
  readonly by: RubricRule;
}

const HAS_WORD = /[\p{L}\p{N}]/u;

/** Content words an answer may add around a contained ground truth and still score 10. */
const MAX_EXTRA_WORDS = 4;

export function rubricScore(input: RubricInput): RubricVerdict {
  const truthBox =
    input.rule === 'CoIN_Grounding' || isBoxText(input.groundTruth) ? findBox(input.groundTruth) : undefined;
  if (truthBox !== undefined) return { score: boxScore(truthBox, findBox(input.answer)), by: 'box' };

  if (!HAS_WORD.test(input.answer)) return { score: HAS_WORD.test(input.groundTruth) ? 0 : 10, by: 'empty' };
  const answer = rubricTokens(input.answer);
  let truth = rubricTokens(input.groundTruth);
  const declines = isUnanswerable(answer);
  if (declines || isUnanswerable(truth))
    return { score: declines && isUnanswerable(truth) ? 10 : 0, by: 'unanswerable' };

  const options = parseOptions(input.question);
  if (options.size > 0) {
    const truthOption = chosenOption(input.groundTruth, options);
    if (truthOption !== undefined && truthOption !== 'several') {
      const picked = chosenOption(input.answer, options);
      if (picked !== undefined) return { score: picked === truthOption ? 10 : 0, by: 'option' };
      truth = rubricTokens(options.get(truthOption)!);
    }
  }
  return compareText(truth, answer);
}

function compareText(truth: readonly string[], answer: readonly string[]): RubricVerdict {
  const single = truth.length === 1 ? truth[0] : undefined;
  if (single === 'yes' || single === 'no') {
    const said = answer.find((t) => t === 'yes' || t === 'no');
    if (said !== undefined) return { score: said === single ? 10 : 0, by: 'yes/no' };
  }
  if (single !== undefined && isNumberToken(single)) {
    const numbers = new Set(answer.filter(isNumberToken));
    if (numbers.size === 1 && numbers.has(single)) return { score: 10, by: 'number' };
    if (numbers.size > 0 && !numbers.has(single)) return { score: 0, by: 'number' };
    if (numbers.size > 1) return f1Verdict(truth, answer); // the truth among other numbers: a partial answer
  }
  if (truth.join(' ') === answer.join(' ')) return { score: 10, by: 'exact' };
  const at = indexOfRun(answer, truth);
  if (at >= 0) {
    const rest = [...answer.slice(0, at), ...answer.slice(at + truth.length)];
    if (rest.filter((t) => !isFiller(t)).length <= MAX_EXTRA_WORDS) return { score: 10, by: 'contained' };
  }
  return f1Verdict(truth, answer);
}

function f1Verdict(truth: readonly string[], answer: readonly string[]): RubricVerdict {
  return { score: Math.round(10 * tokenF1(contentTokens(truth), contentTokens(answer))), by: 'token-f1' };
}
