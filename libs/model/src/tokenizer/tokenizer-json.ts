import { readFile } from 'node:fs/promises';
import { CoinError, writeFileAtomic } from '@coin/core';
import { BYTE_TO_CHAR } from './byte-level.js';
import { type ByteLevelBpeModel, modelVocab } from './bpe-model.js';
import { BOS_TOKEN, EOS_TOKEN, PAD_TOKEN, UNK_TOKEN } from './tokenizer.js';

/** The parts of a Hugging Face tokenizer.json we read; everything else passes through untouched. */
export interface TokenizerJson {
  readonly version?: string;
  readonly added_tokens?: readonly AddedTokenJson[];
  readonly normalizer?: unknown;
  readonly pre_tokenizer?: {
    readonly type?: string;
    readonly add_prefix_space?: boolean;
    readonly use_regex?: boolean;
    readonly [key: string]: unknown;
  } | null;
  readonly post_processor?: unknown;
  readonly decoder?: { readonly type?: string; readonly [key: string]: unknown } | null;
  readonly model: {
    readonly type?: string;
    readonly vocab?: Readonly<Record<string, number>>;
    readonly merges?: readonly (string | readonly [string, string])[];
    readonly byte_fallback?: boolean;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

export interface AddedTokenJson {
  readonly id: number;
  readonly content: string;
  readonly single_word?: boolean;
  readonly lstrip?: boolean;
  readonly rstrip?: boolean;
  readonly normalized?: boolean;
  readonly special?: boolean;
}

const BYTE_LEVEL = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true } as const;

/**
 * Hugging Face tokenizer.json for a trained byte-level BPE: model BPE (vocab + merges), ByteLevel
 * pre-tokenizer and decoder without prefix space (GPT-2 style), special tokens as added tokens,
 * and a post-processor that prepends `<s>` when special tokens are requested (as LLaMA's does).
 * Merges are written as "left right" strings: the byte-level alphabet has no space character, so
 * this is unambiguous and every tokenizers version reads it.
 */
export function byteLevelBpeToTokenizerJson(model: ByteLevelBpeModel): TokenizerJson {
  const vocab = modelVocab(model);
  const bosId = model.specialTokens.indexOf(BOS_TOKEN);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: model.specialTokens.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: BYTE_LEVEL,
    post_processor:
      bosId < 0
        ? null
        : {
            type: 'TemplateProcessing',
            single: [{ SpecialToken: { id: BOS_TOKEN, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
            pair: [
              { SpecialToken: { id: BOS_TOKEN, type_id: 0 } },
              { Sequence: { id: 'A', type_id: 0 } },
              { SpecialToken: { id: BOS_TOKEN, type_id: 1 } },
              { Sequence: { id: 'B', type_id: 1 } },
            ],
            special_tokens: { [BOS_TOKEN]: { id: BOS_TOKEN, ids: [bosId], tokens: [BOS_TOKEN] } },
          },
    decoder: BYTE_LEVEL,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: model.specialTokens.includes(UNK_TOKEN) ? UNK_TOKEN : null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab.map((token, id) => [token, id])),
      merges: model.merges.map(([left, right]) => `${left} ${right}`),
    },
  };
}

/** The tokenizer_config.json that goes with it (HF reads bos/eos/unk/pad from here). */
export function byteLevelBpeTokenizerConfig(model: ByteLevelBpeModel): Record<string, unknown> {
  const has = (t: string): string | null => (model.specialTokens.includes(t) ? t : null);
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: has(BOS_TOKEN),
    eos_token: has(EOS_TOKEN),
    unk_token: has(UNK_TOKEN),
    // docs/protocol.md#prompt-format-and-loss-masking: LLaVA pads with the unk token; `<pad>` exists in the vocabulary but is unused.
    pad_token: has(UNK_TOKEN) ?? has(PAD_TOKEN),
    add_bos_token: true,
    add_eos_token: false,
    clean_up_tokenization_spaces: false,
    model_max_length: 2048,
  };
}

/**
 * Read back a tokenizer.json as our byte-level BPE if it has exactly our layout (special tokens
 * at ids 0..k-1, the 256 bytes in byte order, one id per merge in merge order, ByteLevel without
 * prefix space, no normalizer). Returns null for any other tokenizer (imported models), which the
 * caller then runs through `@huggingface/tokenizers` instead.
 */
export function byteLevelBpeFromTokenizerJson(json: TokenizerJson): ByteLevelBpeModel | null {
  const m = json.model;
  const pre = json.pre_tokenizer;
  if (m?.type !== 'BPE' || m.byte_fallback || !m.vocab || !Array.isArray(m.merges)) return null;
  if (json.normalizer != null || pre?.type !== 'ByteLevel' || pre.add_prefix_space || pre.use_regex === false)
    return null;
  if (json.decoder?.type !== 'ByteLevel') return null;
  if (m.continuing_subword_prefix || m.end_of_word_suffix || m.ignore_merges) return null;
  const added = [...(json.added_tokens ?? [])].sort((a, b) => a.id - b.id);
  if (!added.every((t, i) => t.id === i && t.special && !t.lstrip && !t.rstrip && !t.single_word && !t.normalized))
    return null;
  const specialTokens = added.map((t) => t.content);
  const merges = m.merges.map((entry): [string, string] | null => {
    if (typeof entry !== 'string') return [entry[0], entry[1]];
    const parts = entry.split(' ');
    return parts.length === 2 ? [parts[0], parts[1]] : null;
  });
  if (merges.some((x) => x === null)) return null;
  const model: ByteLevelBpeModel = { specialTokens, merges: merges as [string, string][] };
  let vocab: string[];
  try {
    vocab = modelVocab(model);
  } catch {
    return null;
  }
  const fileVocab = m.vocab;
  if (Object.keys(fileVocab).length !== vocab.length) return null;
  if (!vocab.every((token, id) => fileVocab[token] === id)) return null;
  if (!BYTE_TO_CHAR.every((ch, b) => fileVocab[ch] === specialTokens.length + b)) return null;
  return model;
}

export async function readTokenizerJson(path: string): Promise<TokenizerJson> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new CoinError('TOKENIZER.NOT_FOUND', 'NOT_FOUND', `cannot read tokenizer file ${path}`, {
      cause,
      hint: 'Point at a Hugging Face tokenizer.json, or train one for coin-tiny.',
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CoinError('TOKENIZER.BAD_JSON', 'DATA_LOSS', `${path} is not valid JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (typeof json !== 'object' || json === null || typeof (json as { model?: unknown }).model !== 'object') {
    throw new CoinError(
      'TOKENIZER.BAD_JSON',
      'INVALID_ARGUMENT',
      `${path} has no "model" object; it is not a Hugging Face tokenizer.json`,
    );
  }
  return json as TokenizerJson;
}

/** Write JSON atomically (temp file in the same folder, then rename): never a half-written file. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  try {
    await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
  } catch (cause) {
    throw new CoinError('TOKENIZER.WRITE_FAILED', 'UNAVAILABLE', `cannot write ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
}
