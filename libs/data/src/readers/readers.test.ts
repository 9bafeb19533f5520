import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CoinError } from '@coin/core';
import { findDataset } from './registry.js';
import type { OpenOptions, SourceItem } from './source.js';
import { FIXTURES, readSplit, withFixtureCopy } from './testing.js';

/**
 * Every reader against its fixture (small files in the official formats, made by the script in
 * refcoco.test.ts's header) and against a missing file and a malformed file.
 */
interface Case {
  readonly dataset: string;
  readonly fixture: string;
  readonly options?: (dir: string) => OpenOptions;
  readonly train: ReadonlyArray<Partial<SourceItem>>;
  readonly test: ReadonlyArray<Partial<SourceItem>>;
  /** [split, id, reason pattern] of the dropped records. */
  readonly dropped: ReadonlyArray<[string, string | number, RegExp]>;
  /** A file to delete, and a pattern the NOT_FOUND message must match. */
  readonly missing: [string, RegExp];
  /** A file to corrupt, and the (line, column) the error must point at. */
  readonly malformed: [string, string, number, number];
}

const CASES: readonly Case[] = [
  {
    dataset: 'TextVQA',
    fixture: 'textvqa',
    train: [
      {
        id: 0,
        image: 'TextVQA/train_images/0054c91397f2fe05.jpg',
        question: 'what is the brand of phone?',
        answer: 'nokia',
      },
      { id: 1, answer: 'stop' },
      { id: 2, image: 'TextVQA/train_images/missing0000000000.jpg' },
    ],
    test: [
      {
        id: 34602,
        image: 'TextVQA/train_images/003a8ae2ef43b901.jpg',
        question: 'what brand is the drink?',
        answer: 'coca cola',
      },
    ],
    dropped: [
      ['TextVQA/train', 3, /no answers/],
      ['TextVQA/test', 34603, /9 answers \(the TextVQA scorer needs exactly 10\)/],
    ],
    missing: [
      'TextVQA_0.5.1_val.json',
      /val questions: TextVQA_0\.5\.1_val\.json or annotations\/TextVQA_0\.5\.1_val\.json/,
    ],
    malformed: ['TextVQA_0.5.1_train.json', '{"data": [{"question_id": 1}\n  {"question_id": 2}]}', 2, 3],
  },
  {
    dataset: 'GQA',
    fixture: 'gqa',
    train: [
      { id: '02930152', image: 'GQA/images/2354786.jpg', question: 'Is the sky dark?', answer: 'yes' },
      { id: '07333408', answer: 'pipe' },
    ],
    test: [
      { id: '20968379', image: 'GQA/images/n288870.jpg', question: 'Is the tray on the left?', answer: 'yes' },
      { id: '20968380', answer: 'white' },
    ],
    dropped: [['GQA/train', '07333409', /imageId, question or answer missing/]],
    missing: ['images', /images \(images\.zip\): images or allImages\/images/],
    malformed: [
      'testdev_balanced_questions.json',
      '{"1": {"imageId": "a", "question": "q", "answer": "yes"},\n"2": {"imageId": tru}}',
      2,
      18,
    ],
  },
  {
    dataset: 'VizWiz',
    fixture: 'vizwiz',
    train: [
      {
        id: 'VizWiz_train_00000000.jpg',
        image: 'VizWiz/train/VizWiz_train_00000000.jpg',
        question: "What's the name of this product?",
        answer: 'basil leaves',
      },
      { id: 'VizWiz_train_00000001.jpg', answer: 'unanswerable' },
    ],
    test: [{ id: 'VizWiz_val_00000001.jpg', image: 'VizWiz/val/VizWiz_val_00000001.jpg', answer: 'unanswerable' }],
    dropped: [['VizWiz/test', 'VizWiz_val_00000002.jpg', /no answers/]],
    missing: [
      'Annotations/train.json',
      /train annotations: Annotations\/train\.json or annotations\/train\.json or train\.json/,
    ],
    malformed: ['Annotations/val.json', '[{"image": "a.jpg", "question": "q", "answers": [}]', 1, 50],
  },
  {
    dataset: 'VQAv2',
    fixture: 'vqav2',
    train: [
      {
        id: 458752000,
        image: 'COCO2014/train2014/COCO_train2014_000000458752.jpg',
        question: 'What is this photo taken looking through?',
        answer: 'net',
      },
      { id: 458752001, answer: 'pitcher' },
    ],
    test: [
      {
        id: 262148000,
        image: 'COCO2014/val2014/COCO_val2014_000000262148.jpg',
        question: 'What color is the bus?',
        answer: 'red',
      },
    ],
    dropped: [['VQAv2/train', 262145000, /question has no annotation/]],
    missing: [
      'v2_mscoco_val2014_annotations.json',
      /val annotations: v2_mscoco_val2014_annotations\.json or Questions\//,
    ],
    malformed: [
      'v2_mscoco_val2014_annotations.json',
      '{"annotations": [\n{"question_id": 262148000, "multiple_choice_answer": "red"',
      2,
      59,
    ],
  },
  {
    dataset: 'OCR-VQA',
    fixture: 'ocrvqa',
    train: [
      {
        id: '1581572093_0',
        image: 'OCR-VQA/images/1581572093.png',
        question: 'What type of book is this?',
        answer: 'Travel',
      },
    ],
    test: [
      {
        id: '0486678474_0',
        image: 'OCR-VQA/images/0486678474.jpg',
        question: 'Who wrote this book?',
        answer: 'Charles Dickens',
      },
      { id: '0486678474_1', answer: 'Great Expectations' },
      { id: '0486678474_2', answer: 'No' },
    ],
    dropped: [['OCRVQA/train', '0000000002', /2 questions for 1 answers/]],
    missing: ['dataset.json', /dataset description: dataset\.json or data\/dataset\.json/],
    malformed: ['dataset.json', '{"1": {"split": 1, "questions": ["a\\q"]}}', 1, 37],
  },
  {
    dataset: 'ImageNet',
    fixture: 'imagenet',
    train: [
      {
        id: 'n01440764_10026.JPEG',
        image: 'ImageNet_withlabel/train/n01440764/n01440764_10026.JPEG',
        question: 'What is the object in the image?',
        answer: 'Tench',
      },
      { id: 'n01440764_10027.JPEG', answer: 'Tench' },
      { id: 'n02105505_1018.JPEG', answer: 'Dandie dinmont' },
    ],
    test: [
      {
        id: 'ILSVRC2012_val_00000001.JPEG',
        image: 'ImageNet_withlabel/val/ILSVRC2012_val_00000001.JPEG',
        answer: 'Dandie dinmont',
      },
      { id: 'ILSVRC2012_val_00019095.JPEG', answer: 'Head cabbage' },
    ],
    dropped: [['ImageNet/test', 'ILSVRC2012_val_00000002.JPEG', /class n99999999 is not in/]],
    missing: ['LOC_synset_mapping.txt', /synset list: LOC_synset_mapping\.txt or synset_words\.txt/],
    malformed: ['LOC_synset_mapping.txt', 'n01440764 tench\nthis is not a mapping\n', 2, 0],
  },
  {
    dataset: 'Grounding',
    fixture: 'refer',
    train: [
      {
        id: 'refcoco_train_0',
        image: 'COCO2014/train2014/COCO_train2014_000000580957.jpg',
        question: 'man in red shirt',
        answer: '[0.12, 0.22, 0.59, 0.53]',
        size: [640, 427],
      },
      { id: 'refcoco_train_1', question: 'guy on left', answer: '[0.12, 0.22, 0.59, 0.53]' },
      { id: 'refcocog_train_10', question: 'the man wearing a red shirt' },
    ],
    test: [
      // 480×640 image, full-height box: x shifted by 80, exact ties round to even like Python.
      {
        id: 'refcoco_testA_17',
        image: 'COCO2014/train2014/COCO_train2014_000000000139.jpg',
        question: 'left zebra',
        answer: '[0.12, 0.00, 0.88, 1.00]',
        size: [480, 640],
      },
      { id: 'refcoco+_testB_5', answer: '[0.12, 0.22, 0.59, 0.53]' },
      { id: 'refcocog_test_9', question: 'a zebra standing in the grass' },
    ],
    dropped: [['Grounding/test', 'refcoco_ref3', /ann_id 999 has no box/]],
    missing: ['refcocog/refs(umd).p', /RefCOCOg refs: refcocog\/refs\(umd\)\.p/],
    malformed: ['refcoco/instances.json', '{"images": [], "annotations": [\n]', 2, 2],
  },
];

function pick(item: SourceItem, like: Partial<SourceItem>): Partial<SourceItem> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(like)) out[key] = item[key as keyof SourceItem];
  return out;
}

for (const c of CASES) {
  const raw = join(FIXTURES, c.fixture);
  test(`${c.dataset}: fixture → train and test items, drops reported with reasons`, async () => {
    const source = await findDataset(c.dataset).open(raw, c.options?.(raw) ?? {});
    const train = await readSplit(source, 'train');
    const testSplit = await readSplit(source, 'test');
    assert.equal(train.items.length, c.train.length, JSON.stringify(train.items.map((i) => i.id)));
    c.train.forEach((like, i) => assert.deepEqual(pick(train.items[i], like), like));
    assert.equal(testSplit.items.length, c.test.length, JSON.stringify(testSplit.items.map((i) => i.id)));
    c.test.forEach((like, i) => assert.deepEqual(pick(testSplit.items[i], like), like));
    const dropped = [...train.report.dropped, ...testSplit.report.dropped];
    assert.equal(dropped.length, c.dropped.length, JSON.stringify(dropped));
    c.dropped.forEach(([split, id, reason], i) => {
      assert.equal(dropped[i].split, split);
      assert.equal(dropped[i].id, id);
      assert.match(dropped[i].reason, reason);
    });
    for (const item of [...train.items, ...testSplit.items])
      assert.ok(item.image === undefined || item.imageFile?.startsWith(raw), item.imageFile);
  });

  test(`${c.dataset}: a missing source file is NOT_FOUND naming the expected files`, async () => {
    await withFixtureCopy(c.fixture, async (dir) => {
      await rm(join(dir, c.missing[0]), { recursive: true });
      await assert.rejects(
        async () => {
          const source = await findDataset(c.dataset).open(dir, {});
          for (const split of ['train', 'test'] as const) await readSplit(source, split);
        },
        (e: unknown) => e instanceof CoinError && e.kind === 'NOT_FOUND' && c.missing[1].test(e.message),
      );
    });
  });

  test(`${c.dataset}: a malformed source file is reported with file and position`, async () => {
    await withFixtureCopy(c.fixture, async (dir) => {
      const [file, content, line, column] = c.malformed;
      await writeFile(join(dir, file), content);
      await assert.rejects(
        async () => {
          const source = await findDataset(c.dataset).open(dir, {});
          for (const split of ['train', 'test'] as const) await readSplit(source, split);
        },
        (e: unknown) => {
          assert.ok(e instanceof CoinError, String(e));
          assert.ok(String(e.details.file).endsWith(file), e.message);
          assert.equal(e.details.line, line, e.message);
          if (column > 0) assert.equal(e.details.column, column, e.message);
          return true;
        },
      );
    });
  });
}

test('unknown dataset names are usage errors listing the known ones', () => {
  assert.throws(
    () => findDataset('COCO'),
    (e: unknown) => e instanceof CoinError && e.kind === 'INVALID_ARGUMENT' && /ScienceQA, TextVQA/.test(e.hint ?? ''),
  );
  assert.equal(findDataset('ocr-vqa').name, 'OCRVQA');
  assert.equal(findDataset('refcoco+').name, 'RefCOCO+');
});
