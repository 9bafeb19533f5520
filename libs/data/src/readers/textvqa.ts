import { resolve } from 'node:path';
import { streamJsonArrayAt } from '../formats/json-stream.js';
import type { ValidationReportBuilder } from '../prep/validation-report.js';
import {
  at,
  isObject,
  locate,
  majorityAnswer,
  type OpenedSource,
  type SourceItem,
  type SourceSplit,
} from './source.js';

/**
 * TextVQA 0.5.1 (docs/file-formats.md#raw-source-datasets): `TextVQA_0.5.1_{train,val}.json` = `{..., data: [...]}`; images
 * `train_images/<image_id>.jpg` (train and val share the folder). CoIN's val.json is the official
 * val split with the official numeric question ids; the scorer needs exactly 10 answers each, so
 * val items with another count are dropped and reported. The single `answer` we write is the
 * majority answer (the scorer itself reads the official file).
 */
export async function openTextVQA(raw: string): Promise<OpenedSource> {
  raw = resolve(raw); // every path below is absolute: links and reports must not depend on the cwd
  const files = await locate('TextVQA', raw, {
    train: {
      what: 'train questions',
      candidates: ['TextVQA_0.5.1_train.json', 'annotations/TextVQA_0.5.1_train.json'],
    },
    val: { what: 'val questions', candidates: ['TextVQA_0.5.1_val.json', 'annotations/TextVQA_0.5.1_val.json'] },
    images: {
      what: 'images (train_val_images.zip)',
      candidates: ['train_images', 'train_val_images/train_images'],
      kind: 'dir',
    },
  });

  async function* items(split: SourceSplit, report: ValidationReportBuilder): AsyncGenerator<SourceItem> {
    const file = split === 'train' ? files.train : files.val;
    const name = `TextVQA/${split}`;
    for await (const { value, index } of streamJsonArrayAt(file, 'data')) {
      report.countSource(name);
      const q = isObject(value) ? value : {};
      const id = q.question_id;
      const drop = (reason: string) =>
        report.drop({
          split: name,
          id: typeof id === 'number' || typeof id === 'string' ? id : `#${index}`,
          reason,
          source: at(file, index),
        });
      if (typeof id !== 'number' && typeof id !== 'string') {
        drop('no question_id');
        continue;
      }
      if (typeof q.question !== 'string' || typeof q.image_id !== 'string') {
        drop('question or image_id missing');
        continue;
      }
      const answers = Array.isArray(q.answers) ? q.answers.filter((a): a is string => typeof a === 'string') : [];
      if (split === 'test' && answers.length !== 10) {
        drop(`${answers.length} answers (the TextVQA scorer needs exactly 10)`);
        continue;
      }
      const answer = majorityAnswer(answers);
      if (answer === undefined) {
        drop('no answers');
        continue;
      }
      yield {
        id,
        image: `TextVQA/train_images/${q.image_id}.jpg`,
        imageFile: `${files.images}/${q.image_id}.jpg`,
        question: q.question,
        answer,
      };
    }
  }

  return {
    dataset: 'TextVQA',
    task: 'TextVQA',
    items,
    copies: [{ from: files.val, to: 'cl_dataset/TextVQA/TextVQA_0.5.1_val.json' }],
    links: [{ at: 'cl_dataset/TextVQA/train_images', target: files.images }],
    notes: [`train: ${files.train}`, `val: ${files.val}`, `images: ${files.images}`],
  };
}
