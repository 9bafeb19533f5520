import { join, resolve } from 'node:path';
import { readJsonFile } from '../formats/json-stream.js';
import type { ValidationReportBuilder } from '../prep/validation-report.js';
import {
  at,
  firstExisting,
  sourceFormatError,
  isObject,
  locate,
  type OpenedSource,
  type SourceItem,
  type SourceSplit,
} from './source.js';

/**
 * ScienceQA (docs/file-formats.md#raw-source-datasets): `problems.json` (pid → problem) + `pid_splits.json`, images at
 * `<split>/<pid>/image.png` (the official images archives unpack to train/ val/ test/, often under
 * images/). Pids stay strings: the scorer keys on them. Items without an image are text-only.
 *
 * Prompt layout follows LLaVA-1.5's "CQM-A" ScienceQA files, which CoIN's science runner is built
 * for: "Context: <hint>" (only when there is a hint), the question, then the options "A. ...";
 * the instruction line is appended by the template. CoIN's exact layout is unknown (docs/file-formats.md#test-records [?]).
 */
const LETTERS = 'ABCDE';
const SPLIT_KEYS: Readonly<Record<SourceSplit, string>> = { train: 'train', test: 'test' };

export async function openScienceQA(raw: string): Promise<OpenedSource> {
  raw = resolve(raw); // every path below is absolute: links and reports must not depend on the cwd
  const files = await locate('ScienceQA', raw, {
    problems: {
      what: 'problems',
      candidates: ['problems.json', 'data/scienceqa/problems.json', 'scienceqa/problems.json'],
    },
    splits: {
      what: 'split lists',
      candidates: ['pid_splits.json', 'data/scienceqa/pid_splits.json', 'scienceqa/pid_splits.json'],
    },
  });
  const base = join(files.problems, '..');
  const imagesRoot =
    (await firstExisting(
      raw,
      ['test', 'images/test', 'data/scienceqa/images/test', join(base, 'images/test')],
      'dir',
    )) ?? join(raw, 'test');
  const imagesBase = join(imagesRoot, '..');
  const problemsJson = await readJsonFile(files.problems);
  const splitsJson = await readJsonFile(files.splits);
  if (!isObject(problemsJson))
    throw sourceFormatError(files.problems, 'expected a JSON object (pid → problem) at the top level');
  if (!isObject(splitsJson))
    throw sourceFormatError(files.splits, 'expected a JSON object ({train: [...], test: [...]}) at the top level');
  const problems: Record<string, unknown> = problemsJson;
  const splits: Record<string, unknown> = splitsJson;

  const links = [];
  for (const split of ['train', 'val', 'test', 'minival']) {
    const dir = await firstExisting(imagesBase, [split], 'dir');
    if (dir) links.push({ at: `cl_dataset/ScienceQA/${split}`, target: dir });
  }

  async function* items(split: SourceSplit, report: ValidationReportBuilder): AsyncGenerator<SourceItem> {
    const name = `ScienceQA/${split}`;
    const pids = splits[SPLIT_KEYS[split]];
    if (!Array.isArray(pids)) {
      report.note(`${files.splits} has no "${SPLIT_KEYS[split]}" list`);
      return;
    }
    for (const [index, rawPid] of pids.entries()) {
      report.countSource(name);
      const pid = String(rawPid);
      const problem = problems[pid];
      const drop = (reason: string) => report.drop({ split: name, id: pid, reason, source: at(files.splits, index) });
      if (!isObject(problem)) {
        drop('pid listed in pid_splits.json but absent from problems.json');
        continue;
      }
      const { question, choices, answer, hint, image } = problem;
      if (typeof question !== 'string' || question.trim() === '') {
        drop('problem has no question text');
        continue;
      }
      if (
        !Array.isArray(choices) ||
        choices.length < 2 ||
        choices.length > LETTERS.length ||
        !choices.every((c) => typeof c === 'string')
      ) {
        drop(`choices must be 2 to ${LETTERS.length} strings`);
        continue;
      }
      if (typeof answer !== 'number' || !Number.isInteger(answer) || answer < 0 || answer >= choices.length) {
        drop(`answer ${JSON.stringify(answer)} is not an index into the ${choices.length} choices`);
        continue;
      }
      const context = typeof hint === 'string' && hint.trim() !== '' ? `Context: ${hint.trim()}\n` : '';
      const options = (choices as string[]).map((c, i) => `${LETTERS[i]}. ${c}`).join('\n');
      const imageSplit = typeof problem.split === 'string' ? problem.split : split;
      const hasImage = typeof image === 'string' && image !== '';
      yield {
        id: pid,
        ...(hasImage
          ? { image: `ScienceQA/${imageSplit}/${pid}/${image}`, imageFile: join(imagesBase, imageSplit, pid, image) }
          : {}),
        question: `${context}${question.trim()}\n${options}`,
        answer: LETTERS[answer],
      };
    }
  }

  return {
    dataset: 'ScienceQA',
    task: 'ScienceQA',
    items,
    copies: [
      { from: files.problems, to: 'cl_dataset/ScienceQA/problems.json' },
      { from: files.splits, to: 'cl_dataset/ScienceQA/pid_splits.json' },
    ],
    links,
    notes: [`problems: ${files.problems}`, `splits: ${files.splits}`, `images: ${imagesBase}/<split>/<pid>/`],
  };
}
