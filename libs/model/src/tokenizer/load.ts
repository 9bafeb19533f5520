import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CoinError } from '@coin/core';
import { type ByteLevelBpeModel } from './bpe-model.js';
import { ByteLevelBpeTokenizer } from './bpe-tokenizer.js';
import { HfJsonTokenizer } from './hf-tokenizer.js';
import { type Tokenizer } from './tokenizer.js';
import {
  byteLevelBpeFromTokenizerJson,
  byteLevelBpeToTokenizerJson,
  byteLevelBpeTokenizerConfig,
  readTokenizerJson,
  writeJsonAtomic,
} from './tokenizer-json.js';

export interface LoadTokenizerOptions {
  /** Use `@huggingface/tokenizers` even for our own byte-level BPE layout (for cross-checks). */
  readonly forceHf?: boolean;
}

/**
 * Load a tokenizer.json: our own byte-level BPE layout gets our fast encoder; anything else
 * (imported models) goes through `@huggingface/tokenizers`, with tokenizer_config.json from the
 * same folder when present (it names the bos/eos/unk tokens).
 */
export async function loadTokenizer(path: string, options: LoadTokenizerOptions = {}): Promise<Tokenizer> {
  const json = await readTokenizerJson(path);
  const ours = options.forceHf ? null : byteLevelBpeFromTokenizerJson(json);
  if (ours) return new ByteLevelBpeTokenizer(ours);
  const config = await readOptionalConfig(join(dirname(path), 'tokenizer_config.json'));
  return new HfJsonTokenizer(json, config, path);
}

/** Save a trained tokenizer as `<dir>/tokenizer.json` plus `<dir>/tokenizer_config.json`. */
export async function saveByteLevelBpe(dir: string, model: ByteLevelBpeModel): Promise<void> {
  await writeJsonAtomic(join(dir, 'tokenizer.json'), byteLevelBpeToTokenizerJson(model));
  await writeJsonAtomic(join(dir, 'tokenizer_config.json'), byteLevelBpeTokenizerConfig(model));
}

async function readOptionalConfig(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch (cause) {
    throw new CoinError('TOKENIZER.BAD_JSON', 'DATA_LOSS', `${path} is not valid JSON`, { cause });
  }
  throw new CoinError('TOKENIZER.BAD_JSON', 'INVALID_ARGUMENT', `${path} must hold a JSON object`);
}
