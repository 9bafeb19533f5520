/** A piece of text between special tokens, or one special token. */
export interface TextPiece {
  readonly text: string;
  readonly special: boolean;
}

/**
 * Cut `text` at every exact occurrence of a special token (longest token first where they
 * overlap), as Hugging Face does for added tokens with `normalized: false` and no strip flags.
 */
export function splitOnSpecialTokens(text: string, specialTokens: readonly string[]): TextPiece[] {
  if (specialTokens.length === 0 || text.length === 0) return text.length === 0 ? [] : [{ text, special: false }];
  const pattern = specialPattern(specialTokens);
  const pieces: TextPiece[] = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const at = match.index as number;
    if (at > last) pieces.push({ text: text.slice(last, at), special: false });
    pieces.push({ text: match[0], special: true });
    last = at + match[0].length;
  }
  if (last < text.length) pieces.push({ text: text.slice(last), special: false });
  return pieces;
}

const patternCache = new Map<string, RegExp>();

function specialPattern(specialTokens: readonly string[]): RegExp {
  const cacheKey = specialTokens.join('\u0000');
  let pattern = patternCache.get(cacheKey);
  if (!pattern) {
    const alternatives = [...specialTokens]
      .sort((a, b) => b.length - a.length || (a < b ? -1 : 1))
      .map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    pattern = new RegExp(alternatives.join('|'), 'gu');
    patternCache.set(cacheKey, pattern);
  }
  return pattern;
}
