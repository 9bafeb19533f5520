import { CoinError, isObject } from '@coin/core';
import type { ModelConfig } from '../network/config.js';

/** What each field of a ModelConfig must be; the checks that keep a damaged config from reaching the weight shapes. */
type FieldRule = 'positiveInteger' | 'integer' | 'positiveNumber' | 'boolean';
const DECODER_FIELDS: Readonly<Record<string, FieldRule>> = {
  vocab: 'positiveInteger',
  dim: 'positiveInteger',
  layers: 'positiveInteger',
  heads: 'positiveInteger',
  ffn: 'positiveInteger',
  maxSeq: 'positiveInteger',
  tiedEmbeddings: 'boolean',
  normEps: 'positiveNumber',
  ropeBase: 'positiveNumber',
};
const VISION_FIELDS: Readonly<Record<string, FieldRule>> = {
  imageSize: 'positiveInteger',
  patch: 'positiveInteger',
  dim: 'positiveInteger',
  layers: 'positiveInteger',
  heads: 'positiveInteger',
  ffn: 'positiveInteger',
  selectLayer: 'integer',
  normEps: 'positiveNumber',
};

const RULE_HOLDS: Readonly<Record<FieldRule, (v: unknown) => boolean>> = {
  positiveInteger: (v) => Number.isInteger(v) && (v as number) > 0,
  integer: (v) => Number.isInteger(v),
  positiveNumber: (v) => typeof v === 'number' && Number.isFinite(v) && v > 0,
  boolean: (v) => typeof v === 'boolean',
};
const RULE_TEXT: Readonly<Record<FieldRule, string>> = {
  positiveInteger: 'a positive integer',
  integer: 'an integer',
  positiveNumber: 'a positive number',
  boolean: 'true or false',
};

/**
 * The `config` of a coin_config.json whose format has been checked, as a ModelConfig, or a
 * CHECKPOINT.CORRUPT naming every field that is missing or wrong (up to five).
 */
export function parseBaseModelConfig(config: unknown, path: string): ModelConfig {
  const problems: string[] = [];
  const object = (value: unknown, at: string): Record<string, unknown> | undefined => {
    if (isObject(value)) return value;
    problems.push(value === undefined ? `${at} is missing` : `${at} must be an object, got ${JSON.stringify(value)}`);
    return undefined;
  };
  const fields = (value: unknown, at: string, rules: Readonly<Record<string, FieldRule>>) => {
    const o = object(value, at);
    if (!o) return;
    for (const [field, rule] of Object.entries(rules)) {
      const v = o[field];
      if (v === undefined) problems.push(`${at}.${field} is missing`);
      else if (!RULE_HOLDS[rule](v))
        problems.push(`${at}.${field} must be ${RULE_TEXT[rule]}, got ${JSON.stringify(v)}`);
    }
  };
  const c = object(config, 'config');
  if (c) {
    if (typeof c.name !== 'string')
      problems.push(
        c.name === undefined ? 'config.name is missing' : `config.name must be a string, got ${JSON.stringify(c.name)}`,
      );
    fields(c.decoder, 'config.decoder', DECODER_FIELDS);
    fields(c.vision, 'config.vision', VISION_FIELDS);
    if (c.projector !== 'mlp2x_gelu')
      problems.push(
        c.projector === undefined
          ? 'config.projector is missing'
          : `config.projector must be "mlp2x_gelu", got ${JSON.stringify(c.projector)}`,
      );
  }
  if (problems.length) {
    throw new CoinError(
      'CHECKPOINT.CORRUPT',
      'DATA_LOSS',
      `${path} is damaged: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`,
      {
        hint: 'Write the base model again with saveBaseCheckpoint (the pretraining stage).',
        details: { path, problems },
      },
    );
  }
  return config as ModelConfig;
}
