import { invalidArgument } from '@coin/core';
import { BYTE_TO_CHAR, byteLevelToBytes, preTokenize, toByteLevel } from './byte-level.js';
import { type ByteLevelBpeModel, tokenByteKey } from './bpe-model.js';
import { COIN_SPECIAL_TOKENS } from './tokenizer.js';
import { splitOnSpecialTokens } from './special-split.js';

export interface BpeTrainOptions {
  /** Final vocabulary size including special tokens and the 256 bytes (e.g. 512-2048). */
  readonly vocabSize: number;
  /** Stop early when the most frequent pair occurs fewer times than this. Default 2. */
  readonly minFrequency?: number;
  /** Special tokens, given ids 0.. in this order. Default: COIN_SPECIAL_TOKENS. */
  readonly specialTokens?: readonly string[];
}

/**
 * Train a byte-level BPE deterministically: the same corpus and options always give the same
 * merges. Each step merges the most frequent adjacent pair over all pre-token words (weighted by
 * word frequency); ties go to the pair that is smallest in byte order, comparing the left token's
 * bytes first, then the right token's bytes. Special-token strings in the corpus are cut out
 * first, exactly as the encoder does, so they never take part in merges.
 */
export function trainByteLevelBpe(corpus: Iterable<string>, options: BpeTrainOptions): ByteLevelBpeModel {
  const specialTokens = [...(options.specialTokens ?? COIN_SPECIAL_TOKENS)];
  const minFrequency = options.minFrequency ?? 2;
  const base = specialTokens.length + 256;
  if (!Number.isInteger(options.vocabSize) || options.vocabSize < base || options.vocabSize > 65536) {
    throw invalidArgument(
      'TOKENIZER.BAD_VOCAB_SIZE',
      `vocabSize ${options.vocabSize} must be an integer in [${base}, 65536]`,
      `It counts ${specialTokens.length} special tokens and 256 byte tokens; pick e.g. 512-2048 for coin-tiny.`,
    );
  }

  const wordCounts = countWords(corpus, specialTokens);
  // Token ids: byte b has id b here (specials are added back when the model is built).
  const tokenStrings: string[] = [...BYTE_TO_CHAR];
  const tokenKeys: string[] = tokenStrings.map(tokenByteKey);
  const words: number[][] = [];
  const counts: number[] = [];
  for (const [word, count] of wordCounts) {
    words.push(Array.from(byteLevelToBytes(word) as Uint8Array));
    counts.push(count);
  }

  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const heap = new PairHeap(tokenKeys);
  const addWordPairs = (w: number, sign: 1 | -1): void => {
    const word = words[w];
    for (let i = 0; i + 1 < word.length; i++) {
      const key = word[i] * 65536 + word[i + 1];
      const next = (pairCounts.get(key) ?? 0) + sign * counts[w];
      if (next === 0) pairCounts.delete(key);
      else pairCounts.set(key, next);
      if (sign > 0) {
        let set = pairWords.get(key);
        if (!set) pairWords.set(key, (set = new Set()));
        set.add(w);
      }
      if (next > 0) heap.push(next, key);
    }
  };
  for (let w = 0; w < words.length; w++) addWordPairs(w, 1);

  const merges: [string, string][] = [];
  while (base + merges.length < options.vocabSize) {
    const best = heap.popValid(pairCounts);
    if (best === null || best.count < minFrequency) break;
    const left = Math.floor(best.key / 65536);
    const right = best.key % 65536;
    const merged = tokenStrings.length;
    tokenStrings.push(tokenStrings[left] + tokenStrings[right]);
    tokenKeys.push(tokenKeys[left] + tokenKeys[right]);
    merges.push([tokenStrings[left], tokenStrings[right]]);
    const affected = pairWords.get(best.key) ?? new Set<number>();
    pairWords.delete(best.key);
    for (const w of affected) {
      addWordPairs(w, -1);
      words[w] = mergePair(words[w], left, right, merged);
      addWordPairs(w, 1);
    }
  }
  return { specialTokens, merges };
}

function countWords(corpus: Iterable<string>, specialTokens: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of corpus) {
    for (const piece of splitOnSpecialTokens(text, specialTokens)) {
      if (piece.special) continue;
      for (const word of preTokenize(piece.text)) {
        const byteWord = toByteLevel(word);
        counts.set(byteWord, (counts.get(byteWord) ?? 0) + 1);
      }
    }
  }
  // Insertion order depends only on the corpus; sort anyway so the order is stated, not incidental.
  return new Map([...counts].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

/** Replace every non-overlapping (left, right) occurrence, scanning left to right. */
function mergePair(word: number[], left: number, right: number, merged: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < word.length; i++) {
    if (i + 1 < word.length && word[i] === left && word[i + 1] === right) {
      out.push(merged);
      i++;
    } else {
      out.push(word[i]);
    }
  }
  return out;
}

/**
 * Max-heap of (count, pair) with lazy deletion: stale entries (count no longer current) are
 * skipped when popped. Order: higher count first, then smaller (left bytes, right bytes).
 */
class PairHeap {
  private readonly countsHeap: number[] = [];
  private readonly keysHeap: number[] = [];

  constructor(private readonly tokenKeys: readonly string[]) {}

  push(count: number, key: number): void {
    this.countsHeap.push(count);
    this.keysHeap.push(key);
    let i = this.countsHeap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  popValid(current: Map<number, number>): { count: number; key: number } | null {
    while (this.countsHeap.length > 0) {
      const count = this.countsHeap[0];
      const key = this.keysHeap[0];
      this.popTop();
      if (current.get(key) === count) return { count, key };
    }
    return null;
  }

  private popTop(): void {
    const lastCount = this.countsHeap.pop() as number;
    const lastKey = this.keysHeap.pop() as number;
    if (this.countsHeap.length === 0) return;
    this.countsHeap[0] = lastCount;
    this.keysHeap[0] = lastKey;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let top = i;
      if (l < this.countsHeap.length && this.before(l, top)) top = l;
      if (r < this.countsHeap.length && this.before(r, top)) top = r;
      if (top === i) return;
      this.swap(i, top);
      i = top;
    }
  }

  private before(a: number, b: number): boolean {
    const ca = this.countsHeap[a];
    const cb = this.countsHeap[b];
    if (ca !== cb) return ca > cb;
    const ka = this.keysHeap[a];
    const kb = this.keysHeap[b];
    if (ka === kb) return false;
    const la = this.tokenKeys[Math.floor(ka / 65536)];
    const lb = this.tokenKeys[Math.floor(kb / 65536)];
    if (la !== lb) return la < lb;
    return this.tokenKeys[ka % 65536] < this.tokenKeys[kb % 65536];
  }

  private swap(a: number, b: number): void {
    [this.countsHeap[a], this.countsHeap[b]] = [this.countsHeap[b], this.countsHeap[a]];
    [this.keysHeap[a], this.keysHeap[b]] = [this.keysHeap[b], this.keysHeap[a]];
  }
}
