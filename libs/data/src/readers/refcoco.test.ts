import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadPickle } from './pickle.js';
import { formatBoxAnswer, normaliseBox } from './refcoco.js';
import { FIXTURES } from './testing.js';

/*
 * The fixtures under fixtures/refer/ were made once with CPython 3's pickle module, as the refer
 * toolkit's files are (refs(unc).p at protocol 2 like the originals; refs(umd).p at protocol 4):
 *
 *   import json, os, pickle
 *   def ref(ref_id, ann_id, image_id, split, sents, sent0):
 *       return {"sent_ids": list(range(sent0, sent0 + len(sents))),
 *               "file_name": f"COCO_train2014_{image_id:012d}_{ann_id}.jpg", "ann_id": ann_id,
 *               "ref_id": ref_id, "image_id": image_id, "split": split, "category_id": 1,
 *               "sentences": [{"tokens": s.split(), "raw": s.upper(), "sent_id": sent0 + k, "sent": s}
 *                             for k, s in enumerate(sents)]}
 *   def write(folder, fname, proto, refs):
 *       os.makedirs(f"refer/{folder}", exist_ok=True)
 *       with open(f"refer/{folder}/{fname}", "wb") as f: pickle.dump(refs, f, protocol=proto)
 *       json.dump({"info": {},
 *                  "images": [{"id": 580957, "file_name": "COCO_train2014_000000580957.jpg", "width": 640, "height": 427},
 *                             {"id": 139, "file_name": "COCO_train2014_000000000139.jpg", "width": 480, "height": 640}],
 *                  "annotations": [{"id": 1709, "image_id": 580957, "bbox": [76.8, 32.0, 300.5, 200.25], "category_id": 1, "area": 1.0, "iscrowd": 0},
 *                                  {"id": 42, "image_id": 139, "bbox": [0, 0, 480, 640], "category_id": 24, "area": 1.0, "iscrowd": 0}],
 *                  "categories": [{"id": 1, "name": "person"}]}, open(f"refer/{folder}/instances.json", "w"))
 *   write("refcoco", "refs(unc).p", 2, [ref(0, 1709, 580957, "train", ["man in red shirt", "guy on left"], 0),
 *         ref(1, 42, 139, "testA", ["left zebra"], 17), ref(2, 42, 139, "val", ["val only"], 30),
 *         ref(3, 999, 139, "testB", ["no such annotation"], 40)])
 *   write("refcoco+", "refs(unc).p", 2, [ref(0, 1709, 580957, "testB", ["red shirt"], 5)])
 *   write("refcocog", "refs(umd).p", 4, [ref(0, 42, 139, "test", ["a zebra standing in the grass"], 9),
 *         ref(1, 1709, 580957, "train", ["the man wearing a red shirt"], 10)])
 *
 * (the other fixtures' files are small JSON written the same way; the images are one tiny PNG.)
 */

test('the committed pickles (protocol 2 and 4) load as the refer toolkit sees them', async () => {
  for (const [file, protocol] of [
    ['refcoco/refs(unc).p', 2],
    ['refcocog/refs(umd).p', 4],
  ] as const) {
    const bytes = await readFile(join(FIXTURES, 'refer', file));
    assert.deepEqual([bytes[0], bytes[1]], [0x80, protocol]);
    const refs = loadPickle(bytes, file) as Array<Record<string, unknown>>;
    assert.ok(Array.isArray(refs));
    assert.deepEqual(Object.keys(refs[0]).sort(), [
      'ann_id',
      'category_id',
      'file_name',
      'image_id',
      'ref_id',
      'sent_ids',
      'sentences',
      'split',
    ]);
  }
  const refcoco = loadPickle(await readFile(join(FIXTURES, 'refer/refcoco/refs(unc).p'))) as Array<{
    sentences: unknown[];
  }>;
  assert.deepEqual(refcoco[0].sentences[1], {
    tokens: ['guy', 'on', 'left'],
    raw: 'GUY ON LEFT',
    sent_id: 1,
    sent: 'guy on left',
  });
});

const BOXES: ReadonlyArray<[string, number[], number, number, string]> = [
  ['wide image: y shifted by (W-H)/2', [76.8, 32, 300.5, 200.25], 640, 427, '[0.12, 0.22, 0.59, 0.53]'],
  ['tall image: x shifted by (H-W)/2, ties to even', [0, 0, 480, 640], 480, 640, '[0.12, 0.00, 0.88, 1.00]'],
  ['square image: no shift', [10, 20, 30, 40], 100, 100, '[0.10, 0.20, 0.40, 0.60]'],
  ['whole wide image', [0, 0, 200, 100], 200, 100, '[0.00, 0.25, 1.00, 0.75]'],
];
for (const [name, bbox, w, h, expected] of BOXES) {
  test(`box normalisation: ${name}`, () => assert.equal(formatBoxAnswer(normaliseBox(bbox, w, h)), expected));
}

test("box answers print coordinates as Python's '{:.2f}' does (values checked with CPython)", () => {
  const cases: ReadonlyArray<[number, string]> = [
    [0.125, '0.12'],
    [0.375, '0.38'],
    [0.625, '0.62'],
    [0.875, '0.88'],
    [-0.125, '-0.12'],
    [0.005, '0.01'],
    [1.005, '1.00'],
    [2.675, '2.67'],
    [0.21640625, '0.22'],
    [1, '1.00'],
  ];
  for (const [x, s] of cases) assert.equal(formatBoxAnswer([x]), `[${s}]`, String(x));
});

test('a single dataset: --raw is its own folder, images found beside it or given with --images', async () => {
  const { openGrounding } = await import('./refcoco.js');
  const { readSplit } = await import('./testing.js');
  const alone = await openGrounding(join(FIXTURES, 'refer/refcocog'), ['RefCOCOg']);
  assert.equal(alone.dataset, 'RefCOCOg');
  assert.deepEqual(
    (await readSplit(alone, 'test')).items.map((i) => i.id),
    ['refcocog_test_9'],
  );
  const images = join(FIXTURES, 'refer/images/mscoco/images/train2014');
  const given = await openGrounding(join(FIXTURES, 'refer/refcoco+'), ['RefCOCO+'], { images });
  assert.deepEqual(given.links, [{ at: 'cl_dataset/COCO2014/train2014', target: images }]);
  assert.deepEqual(
    (await readSplit(given, 'test')).items.map((i) => i.id),
    ['refcoco+_testB_5'],
  );
});
