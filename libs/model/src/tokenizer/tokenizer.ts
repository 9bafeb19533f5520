/**
 * The tokenizer port the model, prompt builder and generation use. Two adapters implement it:
 * `ByteLevelBpeTokenizer` (our own fast encoder for the byte-level BPE we train for coin-tiny) and
 * `HfJsonTokenizer` (any Hugging Face `tokenizer.json`, through `@huggingface/tokenizers`).
 */
export interface EncodeOptions {
  /** Prepend the BOS id (LLaMA's tokenizer does this by default; we make it explicit). Default false. */
  readonly addBos?: boolean;
}

export interface DecodeOptions {
  /** Drop special tokens (`<s>`, `</s>`, `<unk>`, `<pad>`, `<image>`) from the text. Default false. */
  readonly skipSpecialTokens?: boolean;
}

export interface Tokenizer {
  /** Number of ids (the embedding table size): highest id + 1. */
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly unkId: number;
  /** Padding id. docs/protocol.md#prompt-format-and-loss-masking: pad token = unk token (LLaVA sets `pad_token = unk_token`). */
  readonly padId: number;
  /** Special strings (`<s>`, `</s>`, ...) in `text` are matched exactly and become their ids. */
  encode(text: string, options?: EncodeOptions): number[];
  decode(ids: ArrayLike<number>, options?: DecodeOptions): string;
  /** Id of a vocabulary entry or special token, undefined when absent. */
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  isSpecialId(id: number): boolean;
}

/** The special tokens of coin-tiny's tokenizer, in id order (ids 0..4). */
export const COIN_SPECIAL_TOKENS = ['<unk>', '<s>', '</s>', '<pad>', '<image>'] as const;
export const UNK_TOKEN = '<unk>';
export const BOS_TOKEN = '<s>';
export const EOS_TOKEN = '</s>';
export const PAD_TOKEN = '<pad>';
/** The image placeholder in prompts (LLaVA's DEFAULT_IMAGE_TOKEN). */
export const IMAGE_TOKEN = '<image>';
