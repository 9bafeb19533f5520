/**
 * Scoring a task from files, with CoIN's flag names: the one entry point the CLI and services use.
 */
import { join } from 'node:path';
import { CoinError } from '@coin/core';
import { readPyJsonFile, readPyJsonLines } from '../io/read.js';
import { scoreVizWiz, scoreVqav2 } from './exact-match.js';
import { scoreGqa } from './gqa.js';
import { scoreGrounding } from './grounding.js';
import { scoreImageNet } from './imagenet.js';
import { scoreOcrVqa } from './ocrvqa.js';
import { scoreScienceQa } from './scienceqa.js';
import { scoreTextVqa } from './textvqa.js';
import { TASKS, type Fidelity, type JsonDoc, type Predictions, type ScoreReport, type TaskName } from './types.js';

export interface ScoreFiles {
  /** ScienceQA: folder with problems.json and pid_splits.json. */
  readonly baseDir?: string;
  readonly split?: string;
  /** TextVQA, GQA, VizWiz, VQAv2, OCRVQA. */
  readonly annotationFile?: string;
  /** ImageNet, Grounding. */
  readonly testFile?: string;
  readonly resultFile: string;
}

/** Defaults that CoIN's own scripts use for the official files (relative to the working folder). */
export const DEFAULT_SCIENCEQA_BASE_DIR = './cl_dataset/ScienceQA';
export const DEFAULT_TEXTVQA_ANNOTATIONS = './cl_dataset/TextVQA/TextVQA_0.5.1_val.json';
export const DEFAULT_GQA_QUESTIONS = './cl_dataset/GQA/testdev_balanced_questions.json';

export function parseTaskName(name: string): TaskName {
  const found = TASKS.find((t) => t.toLowerCase() === name.toLowerCase().replace(/[-_]/g, ''));
  if (!found) {
    throw new CoinError('METRICS.UNKNOWN_TASK', 'INVALID_ARGUMENT', `unknown task "${name}"`, {
      hint: `use one of ${TASKS.join(', ')}`,
    });
  }
  return found;
}

function required(value: string | undefined, flag: string, task: TaskName): string {
  if (value === undefined || value === '') {
    throw new CoinError('METRICS.MISSING_FLAG', 'INVALID_ARGUMENT', `${task} needs ${flag}`, {
      hint: `run coin score ${task} --help`,
    });
  }
  return value;
}

function doc(file: string, what: string): JsonDoc {
  return { value: readPyJsonFile(file, what), src: { file } };
}

export function scoreTaskFromFiles(task: TaskName, files: ScoreFiles, fidelity: Fidelity = 'coin'): ScoreReport {
  const predictions = (): Predictions => ({
    file: files.resultFile,
    records: readPyJsonLines(files.resultFile, 'result file', fidelity === 'strict'),
  });
  switch (task) {
    case 'ScienceQA': {
      const base = files.baseDir ?? DEFAULT_SCIENCEQA_BASE_DIR;
      const pidSplits = doc(join(base, 'pid_splits.json'), 'ScienceQA pid_splits.json');
      const problems = doc(join(base, 'problems.json'), 'ScienceQA problems.json');
      return scoreScienceQa({ pidSplits, problems, predictions: predictions(), split: files.split, fidelity });
    }
    case 'TextVQA':
      return scoreTextVqa({
        annotations: doc(files.annotationFile ?? DEFAULT_TEXTVQA_ANNOTATIONS, 'annotation file'),
        predictions: predictions(),
        fidelity,
      });
    case 'GQA': {
      const preds = predictions();
      return scoreGqa({
        questions: doc(files.annotationFile ?? DEFAULT_GQA_QUESTIONS, 'GQA questions file'),
        predictions: preds,
        fidelity,
      });
    }
    case 'ImageNet':
      return scoreImageNet({
        testItems: doc(required(files.testFile, '--test-file', task), 'test file'),
        predictions: predictions(),
        fidelity,
      });
    case 'Grounding':
      return scoreGrounding({
        testItems: doc(required(files.testFile, '--test-file', task), 'test file'),
        predictions: predictions(),
        fidelity,
      });
    case 'VizWiz':
      return scoreVizWiz({
        annotations: doc(required(files.annotationFile, '--annotation-file', task), 'annotation file'),
        predictions: predictions(),
        fidelity,
      });
    case 'VQAv2':
      return scoreVqav2({
        annotations: doc(required(files.annotationFile, '--annotation-file', task), 'annotation file'),
        predictions: predictions(),
        fidelity,
      });
    case 'OCRVQA':
      return scoreOcrVqa({
        annotations: doc(required(files.annotationFile, '--annotation-file', task), 'annotation file'),
        predictions: predictions(),
        fidelity,
      });
  }
}
