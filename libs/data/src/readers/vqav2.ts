import { join, resolve } from 'node:path';
import { streamJsonArrayAt } from '../formats/json-stream.js';
import type { ValidationReportBuilder } from '../prep/validation-report.js';
import {
  at,
  isObject,
  locate,
  type OpenOptions,
  type OpenedSource,
  type SourceItem,
  type SourceSplit,
} from './source.js';

/**
 * VQAv2 (docs/file-formats.md#raw-source-datasets): `v2_OpenEnded_mscoco_{train,val}2014_questions.json` + `v2_mscoco_{train,
 * val}2014_annotations.json`; COCO images `{train,val}2014/COCO_<split>2014_<12-digit id>.jpg`.
 * CoIN's val.json is VQAv2 val; the answer is `multiple_choice_answer` (docs/file-formats.md#raw-source-datasets [?]). Questions are
 * indexed (small), annotations streamed (hundreds of MB); questions that no annotation covers are
 * reported, not silently lost.
 */
const DIRS = ['', 'Questions/', 'Annotations/', 'questions/', 'annotations/'];

export async function openVQAv2(raw: string, options: OpenOptions = {}): Promise<OpenedSource> {
  raw = resolve(raw); // every path below is absolute: links and reports must not depend on the cwd
  const imageRoots = options.images ? [resolve(options.images)] : [raw, join(raw, 'images'), join(raw, '..')];
  const files = await locate('VQAv2', raw, {
    trainQuestions: {
      what: 'train questions',
      candidates: DIRS.map((d) => `${d}v2_OpenEnded_mscoco_train2014_questions.json`),
    },
    trainAnnotations: {
      what: 'train annotations',
      candidates: DIRS.map((d) => `${d}v2_mscoco_train2014_annotations.json`),
    },
    valQuestions: {
      what: 'val questions',
      candidates: DIRS.map((d) => `${d}v2_OpenEnded_mscoco_val2014_questions.json`),
    },
    valAnnotations: { what: 'val annotations', candidates: DIRS.map((d) => `${d}v2_mscoco_val2014_annotations.json`) },
    trainImages: {
      what: 'COCO train2014 images (or pass --images)',
      candidates: imageRoots.map((r) => join(r, 'train2014')),
      kind: 'dir',
    },
    valImages: {
      what: 'COCO val2014 images (or pass --images)',
      candidates: imageRoots.map((r) => join(r, 'val2014')),
      kind: 'dir',
    },
  });

  async function* items(split: SourceSplit, report: ValidationReportBuilder): AsyncGenerator<SourceItem> {
    const coco = split === 'train' ? 'train' : 'val';
    const [qFile, aFile, imageDir] =
      split === 'train'
        ? [files.trainQuestions, files.trainAnnotations, files.trainImages]
        : [files.valQuestions, files.valAnnotations, files.valImages];
    const name = `VQAv2/${split}`;
    const questions = new Map<number, { question: string; imageId: number }>();
    for await (const { value, index } of streamJsonArrayAt(qFile, 'questions')) {
      const q = isObject(value) ? value : {};
      if (typeof q.question_id !== 'number' || typeof q.question !== 'string' || typeof q.image_id !== 'number') {
        report.drop({
          split: name,
          id: `#${index}`,
          reason: 'question without question_id, question or image_id',
          source: at(qFile, index),
        });
        continue;
      }
      questions.set(q.question_id, { question: q.question, imageId: q.image_id });
    }
    report.countSource(name, questions.size);
    for await (const { value, index } of streamJsonArrayAt(aFile, 'annotations')) {
      const a = isObject(value) ? value : {};
      const id = a.question_id;
      if (typeof id !== 'number') {
        report.drop({
          split: name,
          id: `#${index}`,
          reason: 'annotation without question_id',
          source: at(aFile, index),
        });
        continue;
      }
      const q = questions.get(id);
      if (q === undefined) {
        report.drop({
          split: name,
          id,
          reason: 'annotation for a question that is not in the questions file',
          source: at(aFile, index),
        });
        continue;
      }
      questions.delete(id);
      if (typeof a.multiple_choice_answer !== 'string') {
        report.drop({ split: name, id, reason: 'no multiple_choice_answer', source: at(aFile, index) });
        continue;
      }
      const file = `COCO_${coco}2014_${String(q.imageId).padStart(12, '0')}.jpg`;
      yield {
        id,
        image: `COCO2014/${coco}2014/${file}`,
        imageFile: join(imageDir, file),
        question: q.question,
        answer: a.multiple_choice_answer,
      };
    }
    for (const id of questions.keys())
      report.drop({ split: name, id, reason: 'question has no annotation', source: qFile });
  }

  return {
    dataset: 'VQAv2',
    task: 'VQAv2',
    items,
    copies: [],
    links: [
      { at: 'cl_dataset/COCO2014/train2014', target: files.trainImages },
      { at: 'cl_dataset/COCO2014/val2014', target: files.valImages },
    ],
    notes: [
      `questions: ${files.trainQuestions}, ${files.valQuestions}`,
      `annotations: ${files.trainAnnotations}, ${files.valAnnotations}`,
    ],
  };
}
