import { basename, dirname, join } from 'node:path';
import { readTestFile, TEST_FILE_OF_TASK, type CoinTask, COIN_TASKS } from '@coin/data';
import {
  buildEvalPrompt,
  buildTrainingSample,
  EVAL_SETTINGS,
  imageTokens,
  IMAGE_SENTINEL_ID,
  type ModelConfig,
  type Tokenizer,
} from '@coin/model';
import { instructionTrainFiles, readTrainRecords } from '../pretrain/world-corpus.js';

/** Summary of a set of expanded lengths (text tokens + N image positions). */
export interface LengthStats {
  readonly count: number;
  readonly max: number;
  readonly p95: number;
  readonly mean: number;
}

export interface TaskLengths {
  readonly task: string;
  /** Training samples: prompt + answer + `</s>`, as buildTrainingSample renders them. */
  readonly train: LengthStats;
  /** Evaluation prompts (buildEvalPrompt), before any generated token. */
  readonly evalPrompt: LengthStats;
}

/** Positions a sequence of ids takes once each image sentinel becomes `n` visual tokens. */
export function expandedIdsLength(ids: readonly number[], n: number): number {
  let length = 0;
  for (const id of ids) length += id === IMAGE_SENTINEL_ID ? n : 1;
  return length;
}

export function lengthStats(lengths: readonly number[]): LengthStats {
  if (lengths.length === 0) return { count: 0, max: 0, p95: 0, mean: 0 };
  const sorted = [...lengths].sort((a, b) => a - b);
  return {
    count: sorted.length,
    max: sorted[sorted.length - 1],
    p95: sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)],
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
  };
}

/**
 * The expanded lengths of every task of a world under a tokenizer and a model's image-token
 * count: each Instructions_* /<task>/train.json through the training prompt, and the task's test
 * (val) file through the evaluation prompt. Tasks in COIN_TASKS order; variants merged.
 */
export async function measureTaskLengths(
  dataDir: string,
  tokenizer: Tokenizer,
  config: ModelConfig,
): Promise<TaskLengths[]> {
  const n = imageTokens(config.vision);
  const train = new Map<string, number[]>();
  const evalPrompt = new Map<string, number[]>();
  for (const file of await instructionTrainFiles(dataDir)) {
    const task = basename(dirname(file));
    const lengths = train.get(task) ?? [];
    for (const record of await readTrainRecords(file))
      lengths.push(expandedIdsLength(buildTrainingSample(record, tokenizer).inputIds, n));
    train.set(task, lengths);
    if (!(COIN_TASKS as readonly string[]).includes(task)) continue;
    const coinTask = task as CoinTask;
    const prompts = evalPrompt.get(task) ?? [];
    for await (const record of readTestFile(join(dirname(file), TEST_FILE_OF_TASK[coinTask]), coinTask))
      prompts.push(expandedIdsLength(buildEvalPrompt(record, EVAL_SETTINGS[coinTask].runner, tokenizer).inputIds, n));
    evalPrompt.set(task, prompts);
  }
  const order = (t: string) => {
    const i = (COIN_TASKS as readonly string[]).indexOf(t);
    return i < 0 ? COIN_TASKS.length : i;
  };
  return [...train.keys()]
    .sort((a, b) => order(a) - order(b) || (a < b ? -1 : 1))
    .map((task) => ({
      task,
      train: lengthStats(train.get(task)!),
      evalPrompt: lengthStats(evalPrompt.get(task) ?? []),
    }));
}
