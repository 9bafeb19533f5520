import { invalidArgument, pyStrip } from '@coin/core';
import { type CoinTask, type TestRecord } from '@coin/data';
import { IMAGE_TOKEN, type Tokenizer } from '../tokenizer/tokenizer.js';
import { IMAGE_SENTINEL_ID, tokenizeWithImage } from './image-tokens.js';
import { renderVicunaV1 } from './vicuna.js';

/**
 * docs/protocol.md#evaluation-runner runner kinds. `science` (model_vqa_science) strips `<image>` from the text and
 * re-adds it only when the item has an image; `loader` (model_vqa_loader) and `generic`
 * (model_vqa) always prefix `<image>\n` to the text as given.
 */
export type EvalRunner = 'science' | 'loader' | 'generic';

export interface EvalSettings {
  readonly runner: EvalRunner;
  /** `pad`: pad to square with the mean colour as in training; `crop`: resize + centre-crop. */
  readonly imageMode: 'pad' | 'crop';
  readonly maxNewTokens: number;
}

/** The docs/protocol.md#evaluation-runner table. */
export const EVAL_SETTINGS: Readonly<Record<CoinTask, EvalSettings>> = {
  ScienceQA: { runner: 'science', imageMode: 'crop', maxNewTokens: 1024 },
  TextVQA: { runner: 'loader', imageMode: 'pad', maxNewTokens: 128 },
  GQA: { runner: 'loader', imageMode: 'pad', maxNewTokens: 128 },
  VizWiz: { runner: 'loader', imageMode: 'pad', maxNewTokens: 128 },
  OCRVQA: { runner: 'loader', imageMode: 'pad', maxNewTokens: 128 },
  ImageNet: { runner: 'generic', imageMode: 'crop', maxNewTokens: 1024 },
  Grounding: { runner: 'generic', imageMode: 'crop', maxNewTokens: 1024 },
  VQAv2: { runner: 'generic', imageMode: 'crop', maxNewTokens: 1024 },
};

export interface EvalPrompt {
  /** `{SYSTEM} USER: <image>\n{text} ASSISTANT:` (no `<image>\n` for text-only ScienceQA items). */
  readonly text: string;
  /** BOS + tokens, IMAGE_SENTINEL_ID in place of `<image>`. */
  readonly inputIds: number[];
  /** Index of the sentinel, −1 when the item runs without an image. */
  readonly imagePosition: number;
}

export function buildEvalPrompt(record: TestRecord, runner: EvalRunner, tokenizer: Tokenizer): EvalPrompt {
  let question: string;
  if (runner === 'science') {
    const stripped = pyStrip(record.text.split(IMAGE_TOKEN).join(''));
    question = record.image !== undefined ? `${IMAGE_TOKEN}\n${stripped}` : stripped;
  } else {
    if (record.image === undefined) {
      throw invalidArgument(
        'PROMPT.MISSING_IMAGE',
        `test record ${record.question_id} has no image, but the ${runner} runner always feeds one`,
        'Only ScienceQA (science runner) has text-only items; check the task or the record.',
        { questionId: record.question_id },
      );
    }
    question = `${IMAGE_TOKEN}\n${record.text}`;
  }
  const eos = tokenizer.idToToken(tokenizer.eosId) ?? '</s>';
  const text = renderVicunaV1([question, null], eos);
  const inputIds = tokenizeWithImage(text, tokenizer);
  return { text, inputIds, imagePosition: inputIds.indexOf(IMAGE_SENTINEL_ID) };
}

/** Questions of every leading kind (letter, digit, punctuation, space, non-ASCII), for evalSharedPrefix. */
const PROBE_QUESTIONS = ['What is it?', '3 cats', '(a) or (b)', ' spaced', 'Ünïcode', '\nnew line', '<image>\nQ'];

/**
 * The token ids every evaluation prompt starts with, whatever its runner, image and question: BOS,
 * the system text and `USER:`. Measured, not assumed: the longest common prefix of prompts built for
 * questions of every leading kind, with and without an image, so a tokenizer that joins the text
 * after `USER:` into the last tokens still leaves them out. Pass it as the Generator's
 * `sharedPrefix` to prefill it once (the Generator refuses any prompt that does not start with it).
 */
export function evalSharedPrefix(tokenizer: Tokenizer): number[] {
  const prompts = PROBE_QUESTIONS.flatMap((text, i) => [
    buildEvalPrompt({ question_id: `probe${i}`, image: 'probe.png', text }, 'loader', tokenizer).inputIds,
    buildEvalPrompt({ question_id: `probe${i}`, text }, 'science', tokenizer).inputIds,
  ]);
  return commonLeadingTokens(prompts);
}

/**
 * The tokens every prompt starts with, up to (not including) an image, leaving each prompt at
 * least one token after them: what a Generator's `sharedPrefix` may hold for these prompts.
 */
export function commonLeadingTokens(prompts: readonly (readonly number[])[]): number[] {
  const first = prompts[0] ?? [];
  const shortest = Math.min(...prompts.map((p) => p.length));
  let n = 0;
  while (n < shortest - 1 && first[n] !== IMAGE_SENTINEL_ID && prompts.every((p) => p[n] === first[n])) n++;
  return first.slice(0, n);
}

/**
 * docs/protocol.md#evaluation-runner output post-processing: decode only the new tokens with special tokens skipped, strip;
 * the model_vqa* runners then remove a trailing `</s>` (text that spelled it out) and strip again.
 */
export function postprocessGeneration(
  tokenizer: Tokenizer,
  newIds: ArrayLike<number>,
  removeTrailingStop = true,
): string {
  let out = pyStrip(tokenizer.decode(newIds, { skipSpecialTokens: true }));
  if (removeTrailingStop) {
    const stop = tokenizer.idToToken(tokenizer.eosId) ?? '</s>';
    if (out.endsWith(stop)) out = out.slice(0, -stop.length);
    out = pyStrip(out);
  }
  return out;
}
