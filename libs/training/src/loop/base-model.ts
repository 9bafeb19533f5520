import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoinError, sha256Hex } from '@coin/core';
import { BASE_CONFIG_FILE, BASE_WEIGHTS_FILE, loadBaseCheckpoint, loadTokenizer, PRESETS } from '@coin/model';
import type { PresetName } from '../methods/method.js';
import { readBaseManifest } from '../pretrain/base-store.js';
import type { BaseModel } from './run.js';

const TOKENIZER_FILE = 'tokenizer.json';
/** The key `coin pretrain` recorded (sha256 of its inputs), if the folder has its finished manifest. */
async function manifestKey(dir: string): Promise<string | undefined> {
  return (await readBaseManifest(dir))?.key;
}

/**
 * A base model folder: a base checkpoint (coin_config.json + model.safetensors) and its
 * tokenizer.json. Its key is the one `coin pretrain` recorded in manifest.json (the sha256 of the
 * base's inputs); a folder without that manifest is keyed by the sha256 of its three files, so any
 * change to weights, config or tokenizer gives another key.
 */
export async function loadBase(dir: string, preset: PresetName): Promise<BaseModel> {
  const { config, weights } = await loadBaseCheckpoint(dir);
  if (config.name !== PRESETS[preset].name)
    throw new CoinError(
      'TRAIN.WRONG_PRESET',
      'INVALID_ARGUMENT',
      `base ${dir} is ${config.name}, not ${PRESETS[preset].name}`,
      {
        hint: `pass the --preset the base was built for, or another --base`,
      },
    );
  const tokenizer = await loadTokenizer(join(dir, TOKENIZER_FILE));
  if (tokenizer.vocabSize !== config.decoder.vocab)
    throw new CoinError(
      'TRAIN.WRONG_BASE',
      'INVALID_ARGUMENT',
      `base ${dir}: the tokenizer has ${tokenizer.vocabSize} tokens, the model ${config.decoder.vocab}`,
    );
  const key = (await manifestKey(dir)) ?? (await contentKey(dir));
  return { config, weights, tokenizer, key };
}

async function contentKey(dir: string): Promise<string> {
  const parts = await Promise.all(
    [BASE_CONFIG_FILE, BASE_WEIGHTS_FILE, TOKENIZER_FILE].map((f) => readFile(join(dir, f))),
  );
  return sha256Hex(parts.map((p) => sha256Hex(p)).join('|'));
}

/**
 * The base of a preset in the store (`<storeDir>/models/<key>/`, where `coin pretrain` puts it):
 * the one folder whose config is that preset's model. None or several is an error naming the fix.
 */
export async function findStoredBase(storeDir: string, preset: PresetName): Promise<string> {
  const root = join(storeDir, 'models');
  const found: string[] = [];
  let entries: string[] = [];
  try {
    entries = await readdir(root);
  } catch {
    // no models yet
  }
  for (const e of entries.sort()) {
    try {
      const json = JSON.parse(await readFile(join(root, e, BASE_CONFIG_FILE), 'utf8')) as {
        config?: { name?: string };
      };
      // Only finished bases: pretraining writes the manifest last.
      if (json.config?.name === PRESETS[preset].name && (await manifestKey(join(root, e)))) found.push(join(root, e));
    } catch {
      // not a base folder
    }
  }
  if (found.length === 1) return found[0];
  throw new CoinError(
    'TRAIN.NO_BASE',
    found.length === 0 ? 'NOT_FOUND' : 'INVALID_ARGUMENT',
    found.length === 0
      ? `no ${PRESETS[preset].name} base model under ${root}`
      : `${found.length} ${PRESETS[preset].name} base models under ${root}`,
    {
      hint:
        found.length === 0
          ? `run \`coin pretrain --preset ${preset}\` or pass --base DIR`
          : 'choose one with --base DIR',
    },
  );
}
