import type { VisionWarmupReport } from './vision-warmup.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoinError, sha256Hex, unitKey } from '@coin/core';

/** Bump when pretraining's code changes what it writes: old bases are then not reused. */
export const PRETRAIN_CODE_VERSION = 'coin-pretrain-v3';
/** Written last into a base folder: a folder with it is complete. */
export const BASE_MANIFEST_FILE = 'manifest.json';
export const BASE_MANIFEST_FORMAT = 'coin-base-manifest-v1';

/** Everything a base model depends on; its key is the sha256 of these (canonical JSON) and the code version. */
export interface BaseKeyInputs {
  readonly preset: string;
  /** The preset's architecture itself, so that editing a preset never reuses an old base. */
  readonly model: unknown;
  readonly seed: number;
  /** sha256 of the data folder's manifest.json (which lists the sha256 of every file). */
  readonly data: string;
  readonly hyper: Readonly<Record<string, number>>;
}

export function baseKey(inputs: BaseKeyInputs): string {
  return unitKey({ kind: 'coin-base', ...inputs }, PRETRAIN_CODE_VERSION);
}

/** Where a base with this key lives in the store (docs/configuration.md: storeDir). */
export function baseDir(storeDir: string, key: string): string {
  return join(storeDir, 'models', key);
}

/** sha256 of `<dataDir>/manifest.json`; a folder without one is not a prepared world. */
export async function dataManifestHash(dataDir: string): Promise<string> {
  const path = join(dataDir, 'manifest.json');
  try {
    return sha256Hex(await readFile(path));
  } catch (cause) {
    throw new CoinError('PRETRAIN.NO_DATA', 'NOT_FOUND', `${dataDir} has no manifest.json: not a prepared world`, {
      cause,
      hint: 'point --data at the output of `coin prep synth --out DIR`, or leave --data out to generate the default world',
    });
  }
}

/** What manifest.json of a base folder records. */
export interface BaseManifest {
  readonly format: typeof BASE_MANIFEST_FORMAT;
  readonly key: string;
  readonly codeVersion: string;
  readonly preset: string;
  readonly seed: number;
  readonly dataHash: string;
  readonly tokenizer: { readonly sha256: string; readonly vocabSize: number; readonly systemTextTokens: number };
  readonly hyper: Readonly<Record<string, number>>;
  readonly seq: number;
  readonly samples: { readonly train: number; readonly heldOut: number; readonly truncated: number };
  /** Mean caption loss on the held-out captions before and after pretraining. */
  readonly heldOutLoss: number;
  readonly initialHeldOutLoss: number;
  /** The final model's held-out loss with every image blanked (zeros): above heldOutLoss when it reads the images. */
  readonly blindHeldOutLoss: number;
  /** Mean training loss over the first and the last tenth of the steps. */
  readonly trainLoss: { readonly first: number; readonly last: number };
  /** The vision tower's warm-up before captioning, when it ran. */
  readonly visionWarmup?: VisionWarmupReport;
}

/** The manifest of a complete base folder, or undefined when the folder is absent or unfinished. */
export async function readBaseManifest(dir: string): Promise<BaseManifest | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, BASE_MANIFEST_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as BaseManifest;
    if (parsed.format === BASE_MANIFEST_FORMAT) return parsed;
  } catch {
    // fall through: a damaged manifest is reported below
  }
  throw new CoinError('PRETRAIN.CORRUPT_BASE', 'DATA_LOSS', `${join(dir, BASE_MANIFEST_FILE)} is damaged`, {
    hint: 'remove the folder; the next `coin pretrain` writes it again',
  });
}
