import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CoinError } from '@coin/core';
import { readTestFile, readTrainFile } from './coin-files.js';
import { type CoinTask, TEST_FILE_OF_TASK, VARIANT_FOLDERS } from './records.js';
import { isCoinTask } from './validate.js';

/**
 * The CoIN format check of a whole output folder: every `Instructions_<Variant>/<Task>/` found has
 * a train.json and the task's test.json/val.json, and every record in them is valid (docs/file-formats.md#training-records, docs/file-formats.md#test-records).
 * Throws the first problem with file, record index and field; returns what was checked.
 */
export interface CheckedFile {
  readonly path: string;
  readonly task: CoinTask;
  readonly kind: 'train' | 'test';
  readonly records: number;
}

export async function checkCoinFolder(dir: string): Promise<CheckedFile[]> {
  const checked: CheckedFile[] = [];
  const variants = Object.values(VARIANT_FOLDERS);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (e) {
    throw new CoinError('CHECK.NOT_FOUND', 'NOT_FOUND', `${dir} is not a readable directory`, { cause: e });
  }
  for (const variant of variants.filter((v) => entries.includes(v)).sort()) {
    for (const task of (await readdir(join(dir, variant))).sort()) {
      if (!isCoinTask(task)) continue; // e.g. Multitask/ or user folders
      for (const [kind, file] of [
        ['train', 'train.json'],
        ['test', TEST_FILE_OF_TASK[task]],
      ] as const) {
        const path = join(dir, variant, task, file);
        try {
          await stat(path);
        } catch {
          throw new CoinError(
            'CHECK.FILE_MISSING',
            'DATA_LOSS',
            `${path} is missing: every ${task} folder has train.json and ${TEST_FILE_OF_TASK[task]}`,
            { details: { file: path } },
          );
        }
        let records = 0;
        for await (const _ of kind === 'train' ? readTrainFile(path) : readTestFile(path, task)) records++;
        checked.push({ path, task: task, kind, records });
      }
    }
  }
  if (checked.length === 0) {
    throw new CoinError('CHECK.EMPTY', 'NOT_FOUND', `${dir} has no ${variants.join('/')}/<Task>/ folders`, {
      hint: 'point at the --out folder of `coin prep`',
    });
  }
  return checked;
}
