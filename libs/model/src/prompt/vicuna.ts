import { invalidArgument, pyStrip } from '@coin/core';
import { type ConversationTurn } from '@coin/data';
import { IMAGE_TOKEN } from '../tokenizer/tokenizer.js';

/** docs/protocol.md#prompt-format-and-loss-masking: the vicuna_v1 system text (LLaVA conv_vicuna_v1, template `v1`). */
export const VICUNA_V1_SYSTEM =
  "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions.";
export const USER_ROLE = 'USER';
export const ASSISTANT_ROLE = 'ASSISTANT';
/** Separator after the system text and after user turns (vicuna_v1 `sep`). */
export const TURN_SEPARATOR = ' ';

/**
 * docs/file-formats.md#training-records: a turn that mentions `<image>` gets it removed wherever it is and re-inserted as
 * the prefix `<image>\n`, then the whole is stripped (LLaVA preprocess_multimodal).
 */
export function moveImageTokenToFront(text: string): string {
  if (!text.includes(IMAGE_TOKEN)) return text;
  const rest = pyStrip(text.split(IMAGE_TOKEN).join(''));
  return pyStrip(`${IMAGE_TOKEN}\n${rest}`);
}

/**
 * The alternating user/assistant messages of a LLaVA conversation. A first turn that is not from
 * the human is dropped (LLaVA does the same); after that roles must alternate.
 */
export function conversationMessages(turns: readonly ConversationTurn[], recordId?: string | number): string[] {
  const kept = turns.length > 0 && turns[0].from !== 'human' ? turns.slice(1) : turns;
  return kept.map((turn, j) => {
    const expected = j % 2 === 0 ? 'human' : 'gpt';
    if (turn.from !== expected) {
      throw invalidArgument(
        'PROMPT.BAD_CONVERSATION',
        `record ${recordId ?? '?'}: turn ${j} is from "${turn.from}" but "${expected}" was expected`,
        'Conversations must alternate human, gpt, human, gpt, ...',
        { recordId, turn: j },
      );
    }
    return turn.value;
  });
}

/**
 * vicuna_v1 rendering (LLaVA SeparatorStyle.TWO): `{SYSTEM} USER: {q} ASSISTANT: {a}</s>USER: …`.
 * A trailing `null` message renders as an open assistant turn, `ASSISTANT:` (the eval prompt).
 * `eos` is the end token's text (`</s>`): vicuna's second separator.
 */
export function renderVicunaV1(messages: readonly (string | null)[], eos: string): string {
  let out = VICUNA_V1_SYSTEM + TURN_SEPARATOR;
  messages.forEach((message, i) => {
    const role = i % 2 === 0 ? USER_ROLE : ASSISTANT_ROLE;
    const separator = i % 2 === 0 ? TURN_SEPARATOR : eos;
    out += message === null || message === '' ? `${role}:` : `${role}: ${message}${separator}`;
  });
  return out;
}

/**
 * Training records rendered as the model will see them (vicuna_v1, `<image>` moved to the front),
 * e.g. as the corpus for training coin-tiny's tokenizer, so that the template text is cheap.
 */
export function* renderedConversations(
  records: Iterable<{
    readonly image?: string;
    readonly id?: string | number;
    readonly conversations: readonly ConversationTurn[];
  }>,
  eos = '</s>',
): Generator<string> {
  for (const record of records) {
    const messages = conversationMessages(record.conversations, record.id).map((m) =>
      record.image !== undefined ? moveImageTokenToFront(m) : m,
    );
    yield renderVicunaV1(messages, eos);
  }
}
