import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { CoinError } from '@coin/core';
import { type DecodeOptions, type EncodeOptions, type Tokenizer } from './tokenizer.js';
import { type TokenizerJson } from './tokenizer-json.js';

/** Names of the special tokens, normally from tokenizer_config.json. */
export interface SpecialTokenNames {
  readonly bos?: string;
  readonly eos?: string;
  readonly unk?: string;
  readonly pad?: string;
}

/**
 * Any Hugging Face tokenizer.json (imported models: LLaMA/Vicuna sentencepiece-BPE with byte
 * fallback, GPT-2 style byte-level BPE, ...) behind our `Tokenizer` port, through the pure-JS
 * `@huggingface/tokenizers`. BOS is prepended by us rather than by the file's post-processor so
 * that `addBos` means the same for every tokenizer.
 */
export class HfJsonTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly unkId: number;
  readonly padId: number;
  private readonly hf: HfTokenizer;
  private readonly specialIds: Set<number>;
  private readonly idToTokenMap = new Map<number, string>();
  private readonly tokenToIdMap: Map<string, number>;

  constructor(json: TokenizerJson, config: Readonly<Record<string, unknown>> = {}, source = 'tokenizer.json') {
    // clean_up_tokenization_spaces rewrites " ." to "." etc.; LLaMA's config turns it off and so
    // do we unless the config asks for it.
    try {
      this.hf = new HfTokenizer(json, { clean_up_tokenization_spaces: false, ...config });
    } catch (cause) {
      throw new CoinError(
        'TOKENIZER.UNSUPPORTED',
        'INVALID_ARGUMENT',
        `${source}: @huggingface/tokenizers cannot load it: ${(cause as Error).message}`,
        {
          cause,
          hint: 'Check that the file is a complete Hugging Face tokenizer.json (model, normalizer, pre_tokenizer, post_processor, decoder).',
        },
      );
    }
    this.tokenToIdMap = this.hf.get_vocab(true);
    let maxId = -1;
    for (const [token, id] of this.tokenToIdMap) {
      this.idToTokenMap.set(id, token);
      if (id > maxId) maxId = id;
    }
    this.vocabSize = maxId + 1;
    this.specialIds = new Set([...this.hf.get_added_tokens_decoder()].filter(([, t]) => t.special).map(([id]) => id));
    const names = specialNamesFromConfig(config);
    const find = (role: string, candidates: (string | undefined)[]): number | undefined => {
      for (const name of candidates) {
        if (name === undefined) continue;
        const id = this.tokenToIdMap.get(name);
        if (id !== undefined) return id;
      }
      return undefined;
    };
    const require = (role: string, id: number | undefined): number => {
      if (id !== undefined) return id;
      throw new CoinError('TOKENIZER.MISSING_SPECIAL', 'INVALID_ARGUMENT', `${source}: cannot find the ${role} token`, {
        hint: 'Put tokenizer_config.json (with bos_token/eos_token/unk_token) next to tokenizer.json.',
      });
    };
    this.bosId = require('BOS', find('bos', [names.bos, '<s>', '<|begin_of_text|>', '<|endoftext|>']));
    this.eosId = require('EOS', find('eos', [names.eos, '</s>', '<|end_of_text|>', '<|endoftext|>']));
    const unk = find('unk', [names.unk, '<unk>']);
    this.unkId = unk ?? this.eosId;
    // docs/protocol.md#prompt-format-and-loss-masking: pad = unk. Tokenizers without an unk token pad with the configured pad or EOS.
    this.padId = unk ?? find('pad', [names.pad]) ?? this.eosId;
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    const ids = this.hf.encode(text, { add_special_tokens: false }).ids;
    return options.addBos ? [this.bosId, ...ids] : ids;
  }

  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    // @huggingface/tokenizers throws on an empty list; an empty generation (EOS first) is ''.
    if (ids.length === 0) return '';
    return this.hf.decode(Array.from(ids), { skip_special_tokens: options.skipSpecialTokens ?? false });
  }

  tokenToId(token: string): number | undefined {
    return this.tokenToIdMap.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.idToTokenMap.get(id);
  }

  isSpecialId(id: number): boolean {
    return this.specialIds.has(id);
  }
}

function specialNamesFromConfig(config: Readonly<Record<string, unknown>>): SpecialTokenNames {
  // tokenizer_config.json stores either "<s>" or {"content": "<s>", ...} per special token.
  const name = (v: unknown): string | undefined =>
    typeof v === 'string'
      ? v
      : typeof v === 'object' && v !== null && typeof (v as { content?: unknown }).content === 'string'
        ? (v as { content: string }).content
        : undefined;
  return {
    bos: name(config.bos_token),
    eos: name(config.eos_token),
    unk: name(config.unk_token),
    pad: name(config.pad_token),
  };
}
