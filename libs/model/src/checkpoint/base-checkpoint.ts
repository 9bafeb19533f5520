import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoinError, isObject, writeFileAtomic } from '@coin/core';
import type { TensorData } from '@coin/onnx';
import { readSafetensorsFile, writeSafetensorsFile } from '@coin/runtime';
import type { ModelConfig } from '../network/config.js';
import { baseWeightShapes } from '../network/init.js';
import { parseBaseModelConfig } from './base-config.js';

/** File names of a coin base model directory (models/<modelKey>/ in the object store). */
export const BASE_WEIGHTS_FILE = 'model.safetensors';
export const BASE_CONFIG_FILE = 'coin_config.json';
const FORMAT = 'coin-base-v1';

/**
 * Writes a base model: every weight under its internal name ([in, out] linears) in one
 * safetensors file, then the config (written last: a directory with a config is complete).
 */
export async function saveBaseCheckpoint(
  dir: string,
  config: ModelConfig,
  weights: ReadonlyMap<string, TensorData>,
): Promise<void> {
  await writeSafetensorsFile(join(dir, BASE_WEIGHTS_FILE), Object.fromEntries(weights), {
    format: FORMAT,
    model: config.name,
  });
  await writeFileAtomic(join(dir, BASE_CONFIG_FILE), `${JSON.stringify({ format: FORMAT, config }, null, 2)}\n`);
}

/**
 * Reads a base model and checks it against its config: every weight the architecture needs must
 * be there with the right shape, and nothing else. Corrupt or truncated files fail with DATA_LOSS.
 */
export async function loadBaseCheckpoint(
  dir: string,
): Promise<{ config: ModelConfig; weights: Map<string, TensorData> }> {
  const config = await readBaseConfig(dir);
  const file = await readSafetensorsFile(join(dir, BASE_WEIGHTS_FILE));
  const expected = baseWeightShapes(config);
  const problems: string[] = [];
  for (const [name, dims] of expected) {
    const got = file.tensors[name];
    if (!got) problems.push(`missing ${name}`);
    else if (got.dtype !== 'float32' || got.dims.join(',') !== dims.join(','))
      problems.push(`${name} is ${got.dtype}[${got.dims.join(', ')}], expected float32[${dims.join(', ')}]`);
  }
  for (const name of Object.keys(file.tensors)) if (!expected.has(name)) problems.push(`unexpected ${name}`);
  if (problems.length) {
    throw new CoinError(
      'CHECKPOINT.MISMATCH',
      'DATA_LOSS',
      `base model in ${dir} does not match its config: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`,
    );
  }
  return { config, weights: new Map(Object.entries(file.tensors) as Array<[string, TensorData]>) };
}

/** coin_config.json: a missing file is NOT_FOUND, a damaged one CORRUPT, another format UNSUPPORTED. */
async function readBaseConfig(dir: string): Promise<ModelConfig> {
  const configPath = join(dir, BASE_CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (cause) {
    throw new CoinError(
      'CHECKPOINT.NOT_FOUND',
      'NOT_FOUND',
      `no base model in ${dir}: cannot read ${BASE_CONFIG_FILE}`,
      { cause, hint: 'point at a directory written by saveBaseCheckpoint (the pretraining stage)' },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new CoinError('CHECKPOINT.CORRUPT', 'DATA_LOSS', `${configPath} is not valid JSON (truncated or damaged)`, {
      cause,
      hint: 'Write the base model again with saveBaseCheckpoint (the pretraining stage).',
    });
  }
  if (!isObject(parsed)) {
    throw new CoinError(
      'CHECKPOINT.CORRUPT',
      'DATA_LOSS',
      `${configPath} must hold a JSON object {"format": "${FORMAT}", "config": {...}}, got ${JSON.stringify(parsed)}`,
      {
        hint: 'Write the base model again with saveBaseCheckpoint (the pretraining stage).',
      },
    );
  }
  if (parsed.format !== FORMAT) {
    throw new CoinError(
      'CHECKPOINT.UNSUPPORTED',
      'INVALID_ARGUMENT',
      `${configPath} is not a ${FORMAT} config (format ${parsed.format === undefined ? 'missing' : JSON.stringify(parsed.format)})`,
    );
  }
  return parseBaseModelConfig(parsed.config, configPath);
}
