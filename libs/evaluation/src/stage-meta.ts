import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoinError, isObject, pathExists } from '@coin/core';
import { ADAPTER_CONFIG_FILE, BASE_CONFIG_FILE } from '@coin/model';

/**
 * What evaluation needs from a stage folder's `coin_stage.json` (docs/file-formats.md#training-runs):
 * read structurally here, so that evaluation does not depend on the training library that writes it.
 */
export interface EvalStageMeta {
  readonly method: string;
  /** `merged`: LoRA folded into the weights; `unmerged`: the adapter runs beside them (MoELoRA). */
  readonly evaluation: 'merged' | 'unmerged';
  /** `adapter`: a PEFT adapter checkpoint; `base`: the whole model (full tuning). */
  readonly checkpoint: 'adapter' | 'base';
  /** The key of the base model the stage was trained from. */
  readonly base: string;
  readonly stage: number;
  readonly name: string;
}

export const STAGE_META_FILE = 'coin_stage.json';
const FORMAT = 'coin-stage/1';

/**
 * Reads and checks a finished stage folder's metadata. A folder without the file, with a damaged
 * one, or whose checkpoint was never completed (its config file, written last, is missing) is refused.
 */
export async function readEvalStageMeta(dir: string): Promise<EvalStageMeta> {
  const path = join(dir, STAGE_META_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new CoinError('EVAL.STAGE_NOT_FOUND', 'NOT_FOUND', `${dir} is not a stage folder: cannot read ${path}`, {
      cause,
      hint: 'point at a stage folder written by `coin train --out DIR` (DIR/<k>-<task>)',
    });
  }
  const meta = parseMeta(text, path);
  const marker = meta.checkpoint === 'base' ? BASE_CONFIG_FILE : ADAPTER_CONFIG_FILE;
  if (!(await pathExists(join(dir, marker))))
    throw new CoinError(
      'EVAL.STAGE_UNFINISHED',
      'FAILED_PRECONDITION',
      `stage ${meta.stage} (${meta.name}) in ${dir} has not finished: ${marker} is missing`,
      { hint: 'finish the stage first (`coin train --resume`), then evaluate it' },
    );
  return meta;
}

function parseMeta(text: string, path: string): EvalStageMeta {
  const damaged = (what: string) =>
    new CoinError('EVAL.CORRUPT_STAGE', 'DATA_LOSS', `${path} is damaged: ${what}`, {
      hint: 'remove that stage folder; `coin train --resume` trains the stage again',
    });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw damaged('not valid JSON');
  }
  if (!isObject(json)) throw damaged('not a JSON object');
  if (json.format !== FORMAT) throw damaged(`format ${JSON.stringify(json.format)}, expected "${FORMAT}"`);
  const oneOf = <T extends string>(field: string, allowed: readonly T[]): T => {
    const v = json[field];
    if (!allowed.includes(v as T)) throw damaged(`${field} is ${JSON.stringify(v)}, expected ${allowed.join(' or ')}`);
    return v as T;
  };
  const string = (field: string): string => {
    const v = json[field];
    if (typeof v !== 'string' || v === '')
      throw damaged(`${field} is ${JSON.stringify(v)}, expected a non-empty string`);
    return v;
  };
  const stage = json.stage;
  if (!Number.isInteger(stage) || (stage as number) < 1)
    throw damaged(`stage is ${JSON.stringify(stage)}, expected a positive whole number`);
  return {
    method: string('method'),
    evaluation: oneOf('evaluation', ['merged', 'unmerged'] as const),
    checkpoint: oneOf('checkpoint', ['adapter', 'base'] as const),
    base: string('base'),
    stage: stage as number,
    name: string('name'),
  };
}
