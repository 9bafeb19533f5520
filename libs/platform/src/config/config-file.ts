import { readFileSync } from 'node:fs';
import { CoinError } from '@coin/core';
import { type CoinConfig, type CoinConfigInput, resolveConfig } from './config.js';

/**
 * Reads the optional JSON config file (explicit path, else COIN_CONFIG), then resolves the config
 * over `processDefaults` (see resolveConfig).
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  explicitPath?: string,
  processDefaults?: CoinConfigInput,
): CoinConfig {
  const path = explicitPath ?? env.COIN_CONFIG;
  if (!path) return resolveConfig(undefined, env, processDefaults);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CoinError(
      'CONFIG.NOT_FOUND',
      'INVALID_ARGUMENT',
      `cannot read config file ${path}: ${(e as Error).message}`,
      {
        hint: 'pass an existing JSON file with --config, or unset COIN_CONFIG',
      },
    );
  }
  let values: unknown;
  try {
    values = JSON.parse(text);
  } catch (e) {
    throw new CoinError(
      'CONFIG.INVALID',
      'INVALID_ARGUMENT',
      `config file ${path} is not valid JSON: ${(e as Error).message}`,
      {
        hint: 'fix the JSON syntax at the position shown',
      },
    );
  }
  return resolveConfig(values, env, processDefaults);
}
