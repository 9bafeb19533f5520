import { join } from 'node:path';
import { CoinError, pathExists } from '@coin/core';
import {
  type CoinTask,
  collect,
  type InstructionVariant,
  readTestFile,
  type TestRecord,
  TEST_FILE_OF_TASK,
  VARIANT_FOLDERS,
} from '@coin/data';

/** Where a prepared data folder keeps a task's test file (docs/file-formats.md#folder-layout). */
export function testFilePath(dataDir: string, variant: InstructionVariant, task: CoinTask): string {
  return join(dataDir, VARIANT_FOLDERS[variant], task, TEST_FILE_OF_TASK[task]);
}

/** The task's test records in file order, the first `limit` of them when a limit is given. */
export async function readTestItems(
  dataDir: string,
  variant: InstructionVariant,
  task: CoinTask,
  limit?: number,
): Promise<TestRecord[]> {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    throw new CoinError(
      'EVAL.BAD_OPTIONS',
      'INVALID_ARGUMENT',
      `testLimit must be a positive whole number, got ${limit}`,
    );
  const path = testFilePath(dataDir, variant, task);
  if (!(await pathExists(path)))
    throw new CoinError('EVAL.DATA_NOT_FOUND', 'NOT_FOUND', `no ${task} test file: ${path}`, {
      hint: 'point at a folder written by `coin prep` (e.g. `coin prep synth --out DIR`) with this instruction variant',
    });
  const records = await collect(readTestFile(path, task));
  return limit === undefined ? records : records.slice(0, limit);
}
