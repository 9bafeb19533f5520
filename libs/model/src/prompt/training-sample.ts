import { type TrainRecord } from '@coin/data';
import { type Tokenizer } from '../tokenizer/tokenizer.js';
import { IGNORE_INDEX, IMAGE_SENTINEL_ID, tokenizeWithImage } from './image-tokens.js';
import {
  ASSISTANT_ROLE,
  conversationMessages,
  moveImageTokenToFront,
  renderVicunaV1,
  TURN_SEPARATOR,
} from './vicuna.js';

/**
 * How the answer span is found (docs/protocol.md#prompt-format-and-loss-masking).
 * - `prefix` (default): the instruction is `tokens(… "ASSISTANT:")`, checked to be an exact prefix
 *   of the round's tokens; correct for any tokenizer.
 * - `llava` (fidelity): LLaVA's arithmetic, `len(tokens(… "ASSISTANT: ")) − 2`. The −2 is BOS plus
 *   the lone token LLaMA's sentencepiece makes of the trailing space (`▁`), which in the full text
 *   is fused into the answer's first token (`▁Yes`). Our byte-level BPE behaves the same way (the
 *   GPT-2 split makes the trailing space its own pre-token `Ġ`, and `Ġ` + answer in the full text),
 *   so both rules give identical labels for it; a tokenizer that drops the trailing space (a
 *   whitespace-splitting one) would make `llava` label the final `:` as part of the answer.
 */
export type AnswerSpanRule = 'prefix' | 'llava';

export interface TrainingSampleOptions {
  /** model_max_length: the length check is skipped for rounds reaching it, as LLaVA does. Default 2048. */
  readonly maxLength?: number;
  readonly answerSpanRule?: AnswerSpanRule;
  /** Called with the mismatch warning (LLaVA prints it). */
  readonly onWarning?: (message: string) => void;
}

export interface TrainingSample {
  /** BOS + tokens, with IMAGE_SENTINEL_ID where the image goes; not truncated (the collator does). */
  readonly inputIds: number[];
  /** IGNORE_INDEX everywhere but the answer tokens and the closing EOS of each round. */
  readonly labels: number[];
  /** Index of the image sentinel in inputIds, or -1 for a text-only sample. */
  readonly imagePosition: number;
  /** True when the length bookkeeping disagreed and every label was set to IGNORE_INDEX. */
  readonly mismatch: boolean;
  /** The rendered conversation string (for debugging and the length-grouping sampler). */
  readonly text: string;
}

/** docs/protocol.md#prompt-format-and-loss-masking: render, tokenise and mask one training record. */
export function buildTrainingSample(
  record: TrainRecord,
  tokenizer: Tokenizer,
  options: TrainingSampleOptions = {},
): TrainingSample {
  const maxLength = options.maxLength ?? 2048;
  const rule = options.answerSpanRule ?? 'prefix';
  const hasImage = record.image !== undefined;
  const eos = tokenizer.idToToken(tokenizer.eosId) ?? '</s>';
  // Only samples with an image get `<image>` moved to the front (LLaVA preprocess_multimodal).
  const messages = conversationMessages(record.conversations, record.id).map((m) =>
    hasImage ? moveImageTokenToFront(m) : m,
  );
  const text = renderVicunaV1(messages, eos);
  // Text-only samples are tokenised plainly: no sentinel even if `<image>` appears in the text.
  const tokenize = (s: string): number[] =>
    hasImage ? tokenizeWithImage(s, tokenizer) : tokenizer.encode(s, { addBos: true });
  const inputIds = tokenize(text);
  const labels = inputIds.slice();

  const answerSeparator = `${TURN_SEPARATOR}${ASSISTANT_ROLE}: `;
  let cur = 1; // BOS
  let consistent = true;
  labels[0] = IGNORE_INDEX;
  for (const round of text.split(eos)) {
    if (round === '') break;
    const parts = round.split(answerSeparator);
    if (parts.length !== 2) break;
    const roundIds = tokenize(round); // BOS + round body; that BOS stands in for the round's EOS
    let instructionLength: number;
    if (rule === 'llava') {
      instructionLength = tokenize(parts[0] + answerSeparator).length - 2;
    } else {
      const instruction = tokenize(parts[0] + answerSeparator.trimEnd()).slice(1);
      const body = roundIds.slice(1);
      const fits =
        startsWith(body, instruction) &&
        startsWith(inputIds.slice(cur), body) &&
        inputIds[cur + body.length] === tokenizer.eosId;
      if (!fits) consistent = false;
      instructionLength = instruction.length;
    }
    for (let i = cur; i < cur + instructionLength && i < labels.length; i++) labels[i] = IGNORE_INDEX;
    cur += roundIds.length;
  }
  for (let i = cur; i < labels.length; i++) labels[i] = IGNORE_INDEX;

  // LLaVA compares with the non-pad length (pad = unk, docs/protocol.md#prompt-format-and-loss-masking): a literal unk in the text is
  // not counted there, so such a sample is flagged.
  const total = inputIds.reduce((n, id) => n + (id === tokenizer.padId ? 0 : 1), 0);
  let mismatch = false;
  if (cur < maxLength && (cur !== total || !consistent)) {
    mismatch = true;
    labels.fill(IGNORE_INDEX);
    options.onWarning?.(`WARNING: tokenization mismatch: ${cur} vs. ${total}. (ignored) [record ${record.id}]`);
  }
  return { inputIds, labels, imagePosition: inputIds.indexOf(IMAGE_SENTINEL_ID), mismatch, text };
}

function startsWith(ids: readonly number[], prefix: readonly number[]): boolean {
  if (prefix.length > ids.length) return false;
  for (let i = 0; i < prefix.length; i++) if (ids[i] !== prefix[i]) return false;
  return true;
}
