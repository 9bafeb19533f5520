import { join, resolve } from 'node:path';
import { streamJsonArray } from '../formats/json-stream.js';
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
 * VizWiz VQA (docs/file-formats.md#raw-source-datasets): `Annotations/{train,val}.json` = array of `{image, question,
 * answers: [{answer, answer_confidence}×10], answerable, answer_type}`; images `{train,val}/<image>`.
 * CoIN evaluates on val (val.json). Ids are the image file names. The single answer is the
 * majority of the 10 (CoIN's choice is unknown, docs/file-formats.md#raw-source-datasets [?]); "unanswerable" stays as written.
 */
export async function openVizWiz(raw: string): Promise<OpenedSource> {
  raw = resolve(raw); // every path below is absolute: links and reports must not depend on the cwd
  const files = await locate('VizWiz', raw, {
    train: {
      what: 'train annotations',
      candidates: ['Annotations/train.json', 'annotations/train.json', 'train.json'],
    },
    val: { what: 'val annotations', candidates: ['Annotations/val.json', 'annotations/val.json', 'val.json'] },
    trainImages: { what: 'train images (train.zip)', candidates: ['train'], kind: 'dir' },
    valImages: { what: 'val images (val.zip)', candidates: ['val'], kind: 'dir' },
  });

  async function* items(split: SourceSplit, report: ValidationReportBuilder): AsyncGenerator<SourceItem> {
    const [file, folder, imageDir] =
      split === 'train' ? [files.train, 'train', files.trainImages] : [files.val, 'val', files.valImages];
    const name = `VizWiz/${split}`;
    for await (const { value, index } of streamJsonArray(file)) {
      report.countSource(name);
      const q = isObject(value) ? value : {};
      const image = q.image;
      if (typeof image !== 'string' || typeof q.question !== 'string') {
        report.drop({
          split: name,
          id: typeof image === 'string' ? image : `#${index}`,
          reason: 'image or question missing',
          source: at(file, index),
        });
        continue;
      }
      const answers = Array.isArray(q.answers)
        ? q.answers.map((a) => (isObject(a) ? a.answer : undefined)).filter((a): a is string => typeof a === 'string')
        : [];
      const answer = majorityAnswer(answers);
      if (answer === undefined) {
        report.drop({ split: name, id: image, reason: 'no answers', source: at(file, index) });
        continue;
      }
      yield {
        id: image,
        image: `VizWiz/${folder}/${image}`,
        imageFile: join(imageDir, image),
        question: q.question,
        answer,
      };
    }
  }

  return {
    dataset: 'VizWiz',
    task: 'VizWiz',
    items,
    copies: [],
    links: [
      { at: 'cl_dataset/VizWiz/train', target: files.trainImages },
      { at: 'cl_dataset/VizWiz/val', target: files.valImages },
    ],
    notes: [`train: ${files.train}`, `val: ${files.val}`],
  };
}
