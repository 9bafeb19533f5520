import { extname, join, resolve } from 'node:path';
import { streamJsonObjectEntries } from '../formats/json-stream.js';
import type { ValidationReportBuilder } from '../prep/validation-report.js';
import { at, isObject, locate, type OpenedSource, type SourceItem, type SourceSplit } from './source.js';

/**
 * OCR-VQA (docs/file-formats.md#raw-source-datasets): `dataset.json` = object keyed by book id → `{imageURL, questions[],
 * answers[], title, authorName, genre, split}` with split 1 = train, 2 = val, 3 = test; images as
 * the dataset's loadDataset.py saves them, `images/<bookId><ext of imageURL>`. One item per
 * question, id `<bookId>_<k>` (as in CoIN's files).
 */
const SPLIT_CODE: Readonly<Record<SourceSplit, number>> = { train: 1, test: 3 };

export async function openOCRVQA(raw: string): Promise<OpenedSource> {
  raw = resolve(raw); // every path below is absolute: links and reports must not depend on the cwd
  const files = await locate('OCR-VQA', raw, {
    dataset: { what: 'dataset description', candidates: ['dataset.json', 'data/dataset.json'] },
    images: { what: 'images (downloaded by loadDataset.py)', candidates: ['images', 'data/images'], kind: 'dir' },
  });

  async function* items(split: SourceSplit, report: ValidationReportBuilder): AsyncGenerator<SourceItem> {
    const name = `OCRVQA/${split}`;
    for await (const { key, value, line } of streamJsonObjectEntries(files.dataset)) {
      const book = isObject(value) ? value : {};
      if (Number(book.split) !== SPLIT_CODE[split]) continue;
      const bookId = key as string;
      const questions = Array.isArray(book.questions) ? book.questions : [];
      const answers = Array.isArray(book.answers) ? book.answers : [];
      report.countSource(name, questions.length);
      if (typeof book.imageURL !== 'string' || questions.length === 0 || questions.length !== answers.length) {
        report.drop({
          split: name,
          id: bookId,
          reason: `book without imageURL or with ${questions.length} questions for ${answers.length} answers`,
          source: at(files.dataset, `line ${line}`),
        });
        continue;
      }
      const ext = extname(new URL(book.imageURL, 'http://x/').pathname) || '.jpg';
      for (const [k, question] of questions.entries()) {
        const answer = answers[k];
        if (typeof question !== 'string' || typeof answer !== 'string') {
          report.drop({
            split: name,
            id: `${bookId}_${k}`,
            reason: 'question or answer is not a string',
            source: at(files.dataset, `line ${line}`),
          });
          continue;
        }
        yield {
          id: `${bookId}_${k}`,
          image: `OCR-VQA/images/${bookId}${ext}`,
          imageFile: join(files.images, `${bookId}${ext}`),
          question,
          answer,
        };
      }
    }
  }

  return {
    dataset: 'OCRVQA',
    task: 'OCRVQA',
    items,
    copies: [],
    links: [{ at: 'cl_dataset/OCR-VQA/images', target: files.images }],
    notes: [`dataset: ${files.dataset}`, 'CoIN test = split 3 (test); split 2 (val) is not written'],
  };
}
