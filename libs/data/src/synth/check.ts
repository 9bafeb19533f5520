import { readFile } from 'node:fs/promises';
import { pathExists } from '@coin/core';
import { join } from 'node:path';
import {
  COIN_TASKS,
  TEST_FILE_OF_TASK,
  type CoinTask,
  type InstructionVariant,
  type TestRecord,
  type TrainRecord,
} from '../formats/records.js';
import { collect, readTestFile, readTrainFile } from '../formats/coin-files.js';
import { parseBoxString } from '../formats/validate.js';
import { ANSWER_PATTERNS } from './answer-formats.js';
import { OFFICIAL_FILES } from './official.js';
import { SYNTH_LAYOUT } from './generate.js';

/**
 * Reads a written CoIN-Synth folder back and checks what the scorers and trainers rely on: record
 * structure (via the CoIN readers), each task's answer format, images on disk, Grounding boxes,
 * ScienceQA text-only items, and the official annotation files against the test records.
 */
export interface SynthCheckResult {
  readonly problems: string[];
  /** e.g. 'VizWiz/unanswerable_fraction', 'ScienceQA/text_only_fraction'. */
  readonly stats: Record<string, number>;
}

const LETTERS = 'ABCDE';

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8'));
}

function answerOf(task: CoinTask, r: TrainRecord | TestRecord): string | undefined {
  if ('conversations' in r) return r.conversations[1]?.value;
  return task === 'Grounding' ? r.answer_bbox : r.answer;
}

export async function checkSynthWorld(dir: string, variant: InstructionVariant): Promise<SynthCheckResult> {
  const problems: string[] = [];
  const stats: Record<string, number> = {};
  const imageRoot = join(dir, SYNTH_LAYOUT.images);
  for (const task of COIN_TASKS) {
    const trainPath = join(dir, SYNTH_LAYOUT.instructions(variant, task, 'train.json'));
    const testPath = join(dir, SYNTH_LAYOUT.instructions(variant, task, TEST_FILE_OF_TASK[task]));
    const train = await collect(readTrainFile(trainPath));
    const test = await collect(readTestFile(testPath, task));
    stats[`${task}/train`] = train.length;
    stats[`${task}/test`] = test.length;
    for (const [split, records] of [
      ['train', train],
      ['test', test],
    ] as const) {
      for (const r of records) {
        const id = 'conversations' in r ? r.id : r.question_id;
        const where = `${task}/${split} ${JSON.stringify(id)}`;
        const answer = answerOf(task, r);
        if (answer === undefined || !ANSWER_PATTERNS[task].test(answer))
          problems.push(`${where}: answer ${JSON.stringify(answer)} does not match ${ANSWER_PATTERNS[task]}`);
        if (r.image === undefined && task !== 'ScienceQA') problems.push(`${where}: no image`);
        if (r.image !== undefined && !(await pathExists(join(imageRoot, r.image))))
          problems.push(`${where}: image ${r.image} missing`);
        if (task === 'Grounding' && answer !== undefined) {
          const box = parseBoxString(answer);
          if (!box || box.some((v) => v < 0 || v > 1) || box[0] >= box[2] || box[1] >= box[3])
            problems.push(`${where}: box ${answer} is not inside [0, 1] with x1 < x2, y1 < y2`);
        }
      }
    }
    if (task === 'VizWiz')
      stats['VizWiz/unanswerable_fraction'] =
        [...train, ...test].filter((r) => answerOf(task, r) === 'unanswerable').length /
        Math.max(1, train.length + test.length);
    if (task === 'ScienceQA') {
      stats['ScienceQA/text_only_fraction'] =
        [...train, ...test].filter((r) => r.image === undefined).length / Math.max(1, train.length + test.length);
      await checkScienceQA(imageRoot, train, test, problems);
    }
    if (task === 'TextVQA') await checkTextVQA(imageRoot, test, problems);
    if (task === 'GQA') await checkGQA(imageRoot, test, problems);
  }
  return { problems, stats };
}

async function checkScienceQA(
  imageRoot: string,
  train: readonly TrainRecord[],
  test: readonly TestRecord[],
  problems: string[],
): Promise<void> {
  const all = (await readJson(join(imageRoot, OFFICIAL_FILES.scienceqaProblems))) as Record<
    string,
    { choices: string[]; answer: number; image: string | null; split: string }
  >;
  const splits = (await readJson(join(imageRoot, OFFICIAL_FILES.scienceqaSplits))) as Record<string, string[]>;
  if (JSON.stringify(splits.test) !== JSON.stringify(test.map((r) => r.question_id)))
    problems.push('ScienceQA: pid_splits.json "test" differs from the test file ids');
  if (JSON.stringify(splits.train) !== JSON.stringify(train.map((r) => r.id)))
    problems.push('ScienceQA: pid_splits.json "train" differs from the train file ids');
  for (const r of test) {
    const p = all[String(r.question_id)];
    if (!p) {
      problems.push(`ScienceQA: test pid ${JSON.stringify(r.question_id)} not in problems.json`);
      continue;
    }
    if (LETTERS[p.answer] !== r.answer)
      problems.push(`ScienceQA: pid ${r.question_id}: problems.json answer ${p.answer} is not ${r.answer}`);
    if ((p.image === null) !== (r.image === undefined))
      problems.push(`ScienceQA: pid ${r.question_id}: image presence differs from problems.json`);
    if (p.choices.length < 2 || p.choices.length > 5)
      problems.push(`ScienceQA: pid ${r.question_id}: ${p.choices.length} choices`);
  }
  for (const r of train) {
    if (r.image === undefined && r.conversations[0].value.includes('<image>'))
      problems.push(`ScienceQA: text-only train ${r.id} has an <image> token`);
  }
}

async function checkTextVQA(imageRoot: string, test: readonly TestRecord[], problems: string[]): Promise<void> {
  const file = (await readJson(join(imageRoot, OFFICIAL_FILES.textvqaVal))) as {
    data: Array<{ question_id: number; answers: string[] }>;
  };
  const byId = new Map(file.data.map((d) => [String(d.question_id), d]));
  for (const r of test) {
    const d = byId.get(String(r.question_id));
    if (!d) problems.push(`TextVQA: val question ${r.question_id} not in ${OFFICIAL_FILES.textvqaVal}`);
    else if (d.answers.length !== 10)
      problems.push(`TextVQA: val question ${r.question_id} has ${d.answers.length} answers, the scorer needs 10`);
  }
}

async function checkGQA(imageRoot: string, test: readonly TestRecord[], problems: string[]): Promise<void> {
  const file = (await readJson(join(imageRoot, OFFICIAL_FILES.gqaTestdev))) as Record<
    string,
    {
      answer: string;
      isBalanced: boolean;
      types: { structural: string; semantic: string };
      groups: { global: unknown };
      semantic: unknown[];
      question: string;
    }
  >;
  for (const r of test) {
    const q = file[String(r.question_id)];
    if (!q) {
      problems.push(`GQA: question ${r.question_id} not in ${OFFICIAL_FILES.gqaTestdev}`);
      continue;
    }
    const ok =
      q.answer === r.answer &&
      q.isBalanced === true &&
      typeof q.types?.structural === 'string' &&
      typeof q.types?.semantic === 'string' &&
      'global' in (q.groups ?? {}) &&
      Array.isArray(q.semantic) &&
      typeof q.question === 'string';
    if (!ok)
      problems.push(
        `GQA: question ${r.question_id}: official entry lacks a field the scorer reads or its answer differs`,
      );
  }
}
