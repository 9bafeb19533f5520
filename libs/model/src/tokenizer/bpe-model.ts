import { invalidArgument } from '@coin/core';
import { BYTE_TO_CHAR, byteLevelToBytes } from './byte-level.js';

/**
 * A trained byte-level BPE: ids 0..specialTokens.length-1 are the special tokens, the next 256 ids
 * are the single bytes in byte order, then one id per merge in merge order (merge i creates id
 * specialTokens.length + 256 + i). Tokens are spelled in the byte-level alphabet (BYTE_TO_CHAR).
 */
export interface ByteLevelBpeModel {
  readonly specialTokens: readonly string[];
  /** Merges in rank order; each pair is (left token, right token) in the byte-level alphabet. */
  readonly merges: readonly (readonly [string, string])[];
}

/** id → token string for a model (specials, bytes, merge results). */
export function modelVocab(model: ByteLevelBpeModel): string[] {
  const vocab = [...model.specialTokens, ...BYTE_TO_CHAR];
  const known = new Set(vocab);
  for (const [index, [left, right]] of model.merges.entries()) {
    if (!known.has(left) || !known.has(right)) {
      throw invalidArgument(
        'TOKENIZER.BAD_MERGE',
        `merge ${index} (${JSON.stringify(left)} + ${JSON.stringify(right)}) uses a token that no earlier entry defines`,
        'Merges must only combine bytes or results of earlier merges; retrain or fix the tokenizer file.',
        { index },
      );
    }
    const merged = left + right;
    if (known.has(merged)) {
      throw invalidArgument(
        'TOKENIZER.BAD_MERGE',
        `merge ${index} creates ${JSON.stringify(merged)} a second time`,
        undefined,
        { index },
      );
    }
    known.add(merged);
    vocab.push(merged);
  }
  return vocab;
}

/** Latin-1 string of a token's bytes: compares in byte order with `<`, used for tie-breaking. */
export function tokenByteKey(token: string): string {
  const bytes = byteLevelToBytes(token);
  if (bytes === null) return token;
  return String.fromCharCode(...bytes);
}
