import { join } from 'node:path';
import { type CoinTask, type InstructionVariant, OFFICIAL_FILES, SYNTH_LAYOUT } from '@coin/data';
import { type ScoreFiles, scoreTaskFromFiles } from '@coin/metrics';
import { testFilePath } from './test-items.js';

/**
 * The files a task's scorer reads from a prepared data folder (docs/file-formats.md#result-files-for-coin-score):
 * ScienceQA's problems.json and pid_splits.json, TextVQA's and GQA's official annotations inside
 * the image folder, and for the other tasks the CoIN test file itself.
 */
export function scoreFilesFor(
  dataDir: string,
  variant: InstructionVariant,
  task: CoinTask,
  resultFile: string,
): ScoreFiles {
  const images = join(dataDir, SYNTH_LAYOUT.images);
  const testFile = testFilePath(dataDir, variant, task);
  switch (task) {
    case 'ScienceQA':
      return { baseDir: join(images, 'ScienceQA'), resultFile };
    case 'TextVQA':
      return { annotationFile: join(images, OFFICIAL_FILES.textvqaVal), resultFile };
    case 'GQA':
      return { annotationFile: join(images, OFFICIAL_FILES.gqaTestdev), resultFile };
    case 'ImageNet':
    case 'Grounding':
      return { testFile, resultFile };
    case 'VizWiz':
    case 'VQAv2':
    case 'OCRVQA':
      return { annotationFile: testFile, resultFile };
  }
}

/** Accuracy (0–100) of one evaluation cell, scored as CoIN scores it (`coin`) and with its suspected bugs fixed (`strict`). */
export function scoreCell(
  dataDir: string,
  variant: InstructionVariant,
  task: CoinTask,
  mergeFile: string,
): { coin: number; strict: number } {
  const files = scoreFilesFor(dataDir, variant, task, mergeFile);
  return {
    coin: scoreTaskFromFiles(task, files, 'coin').accuracy,
    strict: scoreTaskFromFiles(task, files, 'strict').accuracy,
  };
}
