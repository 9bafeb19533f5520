import { resolve } from 'node:path';
import { streamJsonObjectEntries } from '../formats/json-stream.js';
import type { ValidationReportBuilder } from '../prep/validation-report.js';
import { at, isObject, locate, type OpenedSource, type SourceItem, type SourceSplit } from './source.js';

/**
 * GQA balanced questions (docs/file-formats.md#raw-source-datasets): `{split}_balanced_questions.json` = object keyed by question
 * id; images `images/<imageId>.jpg`. Train = train_balanced (over a gigabyte: streamed entry by
 * entry), test = testdev_balanced, whose file the GQA scorer also reads. Question ids stay strings.
 */
const QUESTION_DIRS = ['', 'questions1.2/', 'questions/'];

export async function openGQA(raw: string): Promise<OpenedSource> {
  raw = resolve(raw); // every path below is absolute: links and reports must not depend on the cwd
  const files = await locate('GQA', raw, {
    train: {
      what: 'train questions (questions1.2.zip)',
      candidates: QUESTION_DIRS.map((d) => `${d}train_balanced_questions.json`),
    },
    test: { what: 'test-dev questions', candidates: QUESTION_DIRS.map((d) => `${d}testdev_balanced_questions.json`) },
    images: { what: 'images (images.zip)', candidates: ['images', 'allImages/images'], kind: 'dir' },
  });

  async function* items(split: SourceSplit, report: ValidationReportBuilder): AsyncGenerator<SourceItem> {
    const file = split === 'train' ? files.train : files.test;
    const name = `GQA/${split}`;
    for await (const { key, value, line } of streamJsonObjectEntries(file)) {
      report.countSource(name);
      const id = key as string;
      const q = isObject(value) ? value : {};
      if (typeof q.imageId !== 'string' || typeof q.question !== 'string' || typeof q.answer !== 'string') {
        report.drop({
          split: name,
          id,
          reason: 'imageId, question or answer missing',
          source: at(file, `line ${line}`),
        });
        continue;
      }
      yield {
        id,
        image: `GQA/images/${q.imageId}.jpg`,
        imageFile: `${files.images}/${q.imageId}.jpg`,
        question: q.question,
        answer: q.answer,
      };
    }
  }

  return {
    dataset: 'GQA',
    task: 'GQA',
    items,
    copies: [{ from: files.test, to: 'cl_dataset/GQA/testdev_balanced_questions.json' }],
    links: [{ at: 'cl_dataset/GQA/images', target: files.images }],
    notes: [`train: ${files.train}`, `test: ${files.test}`, `images: ${files.images}`],
  };
}
