/**
 * Golden tests: each fixture folder holds small files in CoIN's real formats, built to hit the
 * quirks, and `expected/` = what CoIN's original scripts (zackschen/CoIN 4122465, CPython 3.11)
 * printed and wrote for them. `coin` fidelity must reproduce them byte for byte.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { scoreTaskFromFiles, type ScoreFiles } from './run.js';
import type { Fidelity, ScoreReport, TaskName } from './types.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const read = (...p: string[]): string => readFileSync(join(FIXTURES, ...p), 'utf8');

interface Case {
  readonly task: TaskName;
  readonly dir: string;
  readonly files: Omit<ScoreFiles, 'resultFile'>;
  /** Expected JSON summary per fidelity: [samples, correct, printed accuracy]. */
  readonly summary: Record<Fidelity, [number, number | null, string]>;
}

const CASES: Case[] = [
  {
    task: 'ScienceQA',
    dir: 'scienceqa',
    files: { baseDir: '.' },
    summary: { coin: [32, 13, '40.62'], strict: [32, 13, '40.62'] },
  },
  {
    task: 'TextVQA',
    dir: 'textvqa',
    files: { annotationFile: 'TextVQA_0.5.1_val.json' },
    summary: { coin: [8, null, '82.50'], strict: [8, null, '82.50'] },
  },
  {
    task: 'ImageNet',
    dir: 'imagenet',
    files: { testFile: 'test.json' },
    summary: { coin: [8, 6, '75.00'], strict: [8, 0, '0.00'] },
  },
  {
    task: 'GQA',
    dir: 'gqa',
    files: { annotationFile: 'cl_dataset/GQA/testdev_balanced_questions.json' },
    summary: { coin: [6, 5, '83.33'], strict: [6, 6, '100.00'] },
  },
  {
    task: 'VizWiz',
    dir: 'vizwiz',
    files: { annotationFile: 'val.json' },
    summary: { coin: [6, 4, '66.67'], strict: [6, 4, '66.67'] },
  },
  {
    task: 'VQAv2',
    dir: 'vqav2',
    files: { annotationFile: 'val.json' },
    summary: { coin: [3, 2, '66.67'], strict: [3, 2, '66.67'] },
  },
  {
    task: 'Grounding',
    dir: 'grounding',
    files: { testFile: 'test.json' },
    summary: { coin: [14, 6, '42.86'], strict: [14, 7, '50.00'] },
  },
  {
    task: 'OCRVQA',
    dir: 'ocrvqa',
    files: { annotationFile: 'test.json' },
    summary: { coin: [6, 2, '33.33'], strict: [6, 3, '50.00'] },
  },
];

function run(c: Case, fidelity: Fidelity): ScoreReport {
  const at = (f?: string): string | undefined => (f === undefined ? undefined : join(FIXTURES, c.dir, f));
  return scoreTaskFromFiles(
    c.task,
    {
      baseDir: at(c.files.baseDir),
      annotationFile: at(c.files.annotationFile),
      testFile: at(c.files.testFile),
      resultFile: join(FIXTURES, c.dir, 'merge.jsonl'),
    },
    fidelity,
  );
}

describe('scorers against the original scripts', () => {
  for (const c of CASES) {
    it(`${c.task} (coin) prints and writes exactly what CoIN's script does`, () => {
      const report = run(c, 'coin');
      assert.equal(report.stdout, read(c.dir, 'expected', 'stdout'));
      for (const file of report.files) assert.equal(file.content, read(c.dir, 'expected', file.name), file.name);
    });
    for (const fidelity of ['coin', 'strict'] as const) {
      it(`${c.task} (${fidelity}) summary`, () => {
        const report = run(c, fidelity);
        const [samples, correct, printed] = c.summary[fidelity];
        assert.equal(report.samples, samples);
        assert.equal(report.correct, correct);
        assert.equal(report.stdout.includes(`Accuracy: ${printed}%`), true, report.stdout);
        assert.equal(report.verdicts.length > 0, true);
      });
    }
  }

  it('strict GQA rewrites Result.text instead of appending and drops the banner', () => {
    const report = run(CASES[3], 'strict');
    assert.equal(report.files.find((f) => f.name === 'Result.text')?.mode, 'write');
    assert.equal(report.stdout.startsWith('\nBinary: '), true);
  });
});
