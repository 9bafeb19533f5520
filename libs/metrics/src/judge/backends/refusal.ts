/**
 * A judge reply that declines instead of scoring (docs/protocol.md#judge-run): a content filter, a
 * refusal the server flags, or no digit at all together with refusal words ("I can't", "sorry").
 */
const REFUSAL_WORDS = /\b(?:i can(?:no|')?t|cannot|can't|sorry|unable to|not able to|as an ai)\b/i;

export function isRefusal(text: string, finishReason: string | null, flagged = false): boolean {
  if (flagged || finishReason === 'content_filter') return true;
  return !/\p{Nd}/u.test(text) && REFUSAL_WORDS.test(text.replaceAll('\u2019', "'"));
}
