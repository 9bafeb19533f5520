/**
 * What the OpenAI-compatible judge sends (docs/protocol.md#judge-run): sampling presets and the
 * chat messages per request.
 */
import type { Fidelity } from '../../scorers/types.js';
import type { JudgeRequest } from '../requests.js';
import { badOption } from './openai-errors.js';

/** Chat-completions sampling fields, sent as named (unset fields are not sent). */
export interface JudgeSampling {
  readonly temperature?: number;
  readonly top_p?: number;
  readonly max_tokens?: number;
  /** vLLM's extension; OpenAI itself rejects it. */
  readonly repetition_penalty?: number;
  readonly seed?: number;
}

/** Greedy, and room for a short line: the default. */
export const DEFAULT_JUDGE_SAMPLING: JudgeSampling = { temperature: 0, max_tokens: 20 };

/** CoIN's judge run: temperature 0.7, top-p 0.8, repetition penalty 1.05, 20 new tokens. */
export const COIN_JUDGE_SAMPLING: JudgeSampling = {
  temperature: 0.7,
  top_p: 0.8,
  repetition_penalty: 1.05,
  max_tokens: 20,
};

/**
 * coin: CoIN's judge run, the user message only under the system prompt "You are a helpful
 * assistant." (CoIN's own system message is discarded). both: CoIN's [system, user] pair as built.
 * Either way `<image>` is removed from the user message and it is trimmed, as CoIN does.
 */
export type JudgeMessageMode = 'coin' | 'both';

export const COIN_JUDGE_RUN_SYSTEM = 'You are a helpful assistant.';

export interface ChatMessage {
  readonly role: 'system' | 'user';
  readonly content: string;
}

export function defaultMessageMode(fidelity: Fidelity): JudgeMessageMode {
  return fidelity === 'coin' ? 'coin' : 'both';
}

export function chatMessages(request: JudgeRequest, mode: JudgeMessageMode): ChatMessage[] {
  const [system, user] = request.messages;
  const userContent = user.content.replaceAll('<image>', '').trim();
  const systemContent = mode === 'coin' ? COIN_JUDGE_RUN_SYSTEM : system.content;
  return [
    { role: 'system', content: systemContent },
    { role: 'user', content: userContent },
  ];
}

const RANGES: Record<keyof JudgeSampling, readonly [number, number, boolean]> = {
  temperature: [0, 2, false],
  top_p: [0, 1, false],
  max_tokens: [1, 1_000_000, true],
  repetition_penalty: [0, 10, false],
  seed: [0, Number.MAX_SAFE_INTEGER, true],
};

/** Refuses a sampling field that no server would accept. */
export function checkSampling(sampling: JudgeSampling): void {
  for (const [key, value] of Object.entries(sampling)) {
    const range = RANGES[key as keyof JudgeSampling];
    if (range === undefined)
      throw badOption(`unknown judge sampling field "${key}"`, `use ${Object.keys(RANGES).join(', ')}`);
    if (value === undefined) continue;
    const [lo, hi, integer] = range;
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value < lo ||
      value > hi ||
      (integer && !Number.isInteger(value))
    )
      throw badOption(
        `judge sampling ${key} = ${String(value)} is out of range`,
        `give ${integer ? 'an integer' : 'a number'} in [${lo}, ${hi}]`,
      );
  }
}
