import { CoinError } from '@coin/core';
import { BYTE_TO_CHAR, byteLevelToBytes, preTokenize } from './byte-level.js';
import { type ByteLevelBpeModel, modelVocab } from './bpe-model.js';
import { splitOnSpecialTokens } from './special-split.js';
import {
  BOS_TOKEN,
  type DecodeOptions,
  EOS_TOKEN,
  type EncodeOptions,
  type Tokenizer,
  UNK_TOKEN,
} from './tokenizer.js';

const MAX_CACHED_WORDS = 200_000;
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Our own encoder for a byte-level BPE (the tokenizer we train for coin-tiny). It gives exactly
 * the ids `@huggingface/tokenizers` gives for the same tokenizer.json (tested), but works on ids
 * instead of strings and caches each pre-token word's ids, which makes prompt building fast.
 */
export class ByteLevelBpeTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly unkId: number;
  readonly padId: number;
  private readonly vocab: string[];
  private readonly tokenIds = new Map<string, number>();
  /** (left id * 65536 + right id) → merge rank; the merged id is firstMergeId + rank. */
  private readonly mergeRanks = new Map<number, number>();
  private readonly firstMergeId: number;
  private readonly specialTokens: readonly string[];
  private readonly byteIds: Int32Array;
  /** id → byte sequence (empty for special tokens). */
  private readonly tokenBytes: Uint8Array[];
  private readonly wordCache = new Map<string, readonly number[]>();

  constructor(readonly model: ByteLevelBpeModel) {
    this.vocab = modelVocab(model);
    this.vocab.forEach((token, id) => this.tokenIds.set(token, id));
    this.specialTokens = model.specialTokens;
    this.byteIds = Int32Array.from(BYTE_TO_CHAR, (_, b) => model.specialTokens.length + b);
    this.firstMergeId = model.specialTokens.length + 256;
    model.merges.forEach(([left, right], rank) => {
      const key = (this.tokenIds.get(left) as number) * 65536 + (this.tokenIds.get(right) as number);
      if (!this.mergeRanks.has(key)) this.mergeRanks.set(key, rank);
    });
    this.tokenBytes = this.vocab.map((token, id) =>
      id < model.specialTokens.length ? new Uint8Array(0) : bytesOf(token),
    );
    this.vocabSize = this.vocab.length;
    this.bosId = this.requireSpecial(BOS_TOKEN);
    this.eosId = this.requireSpecial(EOS_TOKEN);
    this.unkId = this.requireSpecial(UNK_TOKEN);
    this.padId = this.unkId;
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    const ids: number[] = options.addBos ? [this.bosId] : [];
    for (const piece of splitOnSpecialTokens(text, this.specialTokens)) {
      if (piece.special) {
        ids.push(this.tokenIds.get(piece.text) as number);
        continue;
      }
      for (const word of preTokenize(piece.text)) {
        let wordIds = this.wordCache.get(word);
        if (wordIds === undefined) {
          wordIds = this.encodeWord(word);
          if (this.wordCache.size >= MAX_CACHED_WORDS) this.wordCache.clear();
          this.wordCache.set(word, wordIds);
        }
        for (let i = 0; i < wordIds.length; i++) ids.push(wordIds[i]);
      }
    }
    return ids;
  }

  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    let text = '';
    let pending: number[] = [];
    const flush = (): void => {
      if (pending.length > 0) text += utf8Decoder.decode(Uint8Array.from(pending));
      pending = [];
    };
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new CoinError(
          'TOKENIZER.UNKNOWN_ID',
          'INVALID_ARGUMENT',
          `token id ${id} at position ${i} is outside the vocabulary [0, ${this.vocabSize})`,
        );
      }
      if (id < this.specialTokens.length) {
        if (options.skipSpecialTokens) continue;
        flush();
        text += this.specialTokens[id];
        continue;
      }
      const bytes = this.tokenBytes[id];
      for (let j = 0; j < bytes.length; j++) pending.push(bytes[j]);
    }
    flush();
    return text;
  }

  tokenToId(token: string): number | undefined {
    return this.tokenIds.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.vocab[id];
  }

  isSpecialId(id: number): boolean {
    return id >= 0 && id < this.specialTokens.length;
  }

  /** BPE on one pre-token: repeatedly merge the lowest-ranked adjacent pair, leftmost first. */
  private encodeWord(word: string): number[] {
    const bytes = utf8.encode(word);
    let symbols: number[] = Array.from(bytes, (b) => this.byteIds[b]);
    while (symbols.length > 1) {
      let bestRank = Infinity;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const rank = this.mergeRanks.get(symbols[i] * 65536 + symbols[i + 1]);
        if (rank !== undefined && rank < bestRank) bestRank = rank;
      }
      if (bestRank === Infinity) break;
      const [left, right] = this.model.merges[bestRank];
      const leftId = this.tokenIds.get(left) as number;
      const rightId = this.tokenIds.get(right) as number;
      const merged = this.firstMergeId + bestRank;
      const next: number[] = [];
      for (let i = 0; i < symbols.length; i++) {
        if (i + 1 < symbols.length && symbols[i] === leftId && symbols[i + 1] === rightId) {
          next.push(merged);
          i++;
        } else {
          next.push(symbols[i]);
        }
      }
      symbols = next;
    }
    return symbols;
  }

  private requireSpecial(token: string): number {
    const id = this.tokenIds.get(token);
    if (id === undefined || id >= this.specialTokens.length) {
      throw new CoinError(
        'TOKENIZER.MISSING_SPECIAL',
        'INVALID_ARGUMENT',
        `the tokenizer has no special token ${token}`,
        {
          hint: `Train it with special tokens including ${UNK_TOKEN}, ${BOS_TOKEN}, ${EOS_TOKEN}.`,
        },
      );
    }
    return id;
  }
}

function bytesOf(token: string): Uint8Array {
  // modelVocab only admits bytes and concatenations of them, so this never fails.
  return byteLevelToBytes(token) as Uint8Array;
}
