import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { CoinError, formatPythonFixed } from '@coin/core';
import { readJsonFile } from '../formats/json-stream.js';
import type { ValidationReportBuilder } from '../prep/validation-report.js';
import { loadPickle } from './pickle.js';
import { isObject, locate, type OpenOptions, type OpenedSource, type SourceItem, type SourceSplit } from './source.js';

/**
 * RefCOCO / RefCOCO+ / RefCOCOg → CoIN's Grounding task (docs/file-formats.md#raw-source-datasets). Each dataset folder (as the
 * `refer` toolkit's data/ holds them) has a pickled refs list (`refs(unc).p`, RefCOCOg `refs(umd).p`)
 * and COCO `instances.json`; images are COCO train2014. One item per sentence. Test = RefCOCO
 * testA+testB, RefCOCO+ testA+testB, RefCOCOg(umd) test (the 30,969 of docs/protocol.md#sample-counts).
 */
export const REFER_DATASETS = {
  RefCOCO: { folder: 'refcoco', refs: 'refs(unc).p', test: ['testA', 'testB'] },
  'RefCOCO+': { folder: 'refcoco+', refs: 'refs(unc).p', test: ['testA', 'testB'] },
  RefCOCOg: { folder: 'refcocog', refs: 'refs(umd).p', test: ['test'] },
} as const;
export type ReferDataset = keyof typeof REFER_DATASETS;

/**
 * LLaVA-1.5's box convention (docs/file-formats.md#test-records): corners, padded to a centred square of side max(W, H), divided
 * by the side; printed with 2 decimals as Python's "{:.2f}" does (round-half-even on exact ties).
 */
export function normaliseBox(bbox: readonly number[], width: number, height: number): [number, number, number, number] {
  const [x, y, w, h] = bbox;
  let x1 = x;
  let y1 = y;
  let x2 = x + w;
  let y2 = y + h;
  if (width > height) {
    y1 += (width - height) / 2;
    y2 += (width - height) / 2;
  } else if (height > width) {
    x1 += (height - width) / 2;
    x2 += (height - width) / 2;
  }
  const side = Math.max(width, height);
  return [x1 / side, y1 / side, x2 / side, y2 / side];
}

export function formatBoxAnswer(box: readonly number[]): string {
  return `[${box.map((x) => formatPythonFixed(x, 2)).join(', ')}]`;
}

interface CocoImage {
  file: string;
  width: number;
  height: number;
}

async function readInstances(file: string): Promise<{ images: Map<number, CocoImage>; boxes: Map<number, number[]> }> {
  const json = await readJsonFile(file);
  if (!isObject(json) || !Array.isArray(json.images) || !Array.isArray(json.annotations)) {
    throw new CoinError(
      'PREP.SOURCE_FORMAT',
      'INVALID_ARGUMENT',
      `${file}: expected COCO instances ({images: [...], annotations: [...]})`,
      { details: { file } },
    );
  }
  const images = new Map<number, CocoImage>();
  for (const im of json.images) {
    if (
      isObject(im) &&
      typeof im.id === 'number' &&
      typeof im.file_name === 'string' &&
      typeof im.width === 'number' &&
      typeof im.height === 'number'
    )
      images.set(im.id, { file: im.file_name, width: im.width, height: im.height });
  }
  const boxes = new Map<number, number[]>();
  for (const a of json.annotations) {
    if (
      isObject(a) &&
      typeof a.id === 'number' &&
      Array.isArray(a.bbox) &&
      a.bbox.length === 4 &&
      a.bbox.every((v) => typeof v === 'number')
    )
      boxes.set(a.id, a.bbox as number[]);
  }
  return { images, boxes };
}

/**
 * Opens one or more of the three datasets. `raw` is the refer data folder holding refcoco/,
 * refcoco+/, refcocog/ — or, for a single dataset, that dataset's own folder.
 */
export async function openGrounding(
  raw: string,
  datasets: readonly ReferDataset[],
  options: OpenOptions = {},
): Promise<OpenedSource> {
  raw = resolve(raw); // every path below is absolute: links and reports must not depend on the cwd
  const expected: Record<string, { what: string; candidates: string[] }> = {};
  const single = datasets.length === 1;
  for (const ds of datasets) {
    const spec = REFER_DATASETS[ds];
    const dirs = single ? ['', `${spec.folder}/`] : [`${spec.folder}/`];
    expected[`${ds} refs`] = { what: `${ds} refs`, candidates: dirs.map((d) => `${d}${spec.refs}`) };
    expected[`${ds} instances`] = { what: `${ds} COCO instances`, candidates: dirs.map((d) => `${d}instances.json`) };
  }
  const imageCandidates = options.images
    ? [resolve(options.images)]
    : [
        'images/mscoco/images/train2014',
        'images/train2014',
        'train2014',
        join(raw, '../images/mscoco/images/train2014'),
        join(raw, '../train2014'),
      ];
  expected.images = { what: 'COCO train2014 images (or pass --images)', candidates: imageCandidates };
  const files = await locate(
    'Grounding',
    raw,
    Object.fromEntries(
      Object.entries(expected).map(([k, v]) => [k, k === 'images' ? { ...v, kind: 'dir' as const } : v]),
    ),
  );
  const imagesDir = files.images;

  const loaded = new Map<
    ReferDataset,
    { refs: unknown[]; images: Map<number, CocoImage>; boxes: Map<number, number[]> }
  >();
  async function load(ds: ReferDataset) {
    let entry = loaded.get(ds);
    if (entry === undefined) {
      const refsFile = files[`${ds} refs`];
      const refs = loadPickle(await readFile(refsFile), refsFile);
      if (!Array.isArray(refs))
        throw new CoinError('PREP.SOURCE_FORMAT', 'INVALID_ARGUMENT', `${refsFile}: expected a pickled list of refs`, {
          details: { file: refsFile },
        });
      entry = { refs, ...(await readInstances(files[`${ds} instances`])) };
      loaded.set(ds, entry);
    }
    return entry;
  }

  async function* items(split: SourceSplit, report: ValidationReportBuilder): AsyncGenerator<SourceItem> {
    const name = `Grounding/${split}`;
    for (const ds of datasets) {
      const spec = REFER_DATASETS[ds];
      const wanted: readonly string[] = split === 'train' ? ['train'] : spec.test;
      const { refs, images, boxes } = await load(ds);
      const refsFile = files[`${ds} refs`];
      for (const [index, ref] of refs.entries()) {
        if (!isObject(ref) || typeof ref.split !== 'string' || !wanted.includes(ref.split)) continue;
        const sentences = Array.isArray(ref.sentences) ? ref.sentences : [];
        report.countSource(name, sentences.length);
        const refId = typeof ref.ref_id === 'number' ? ref.ref_id : index;
        const drop = (reason: string) =>
          report.drop({
            split: name,
            id: `${spec.folder}_ref${refId}`,
            reason,
            source: `${basename(refsFile)} [${index}]`,
          });
        const image = typeof ref.image_id === 'number' ? images.get(ref.image_id) : undefined;
        const bbox = typeof ref.ann_id === 'number' ? boxes.get(ref.ann_id) : undefined;
        if (image === undefined) {
          drop(`image_id ${String(ref.image_id)} is not in instances.json`);
          continue;
        }
        if (bbox === undefined) {
          drop(`ann_id ${String(ref.ann_id)} has no box in instances.json`);
          continue;
        }
        const answer = formatBoxAnswer(normaliseBox(bbox, image.width, image.height));
        for (const s of sentences) {
          if (!isObject(s) || typeof s.sent !== 'string' || typeof s.sent_id !== 'number') {
            drop('sentence without sent or sent_id');
            continue;
          }
          yield {
            id: `${spec.folder}_${ref.split}_${s.sent_id}`,
            image: `COCO2014/train2014/${image.file}`,
            imageFile: join(imagesDir, image.file),
            question: s.sent,
            answer,
            size: [image.width, image.height],
          };
        }
      }
    }
  }

  const nameOf = single ? datasets[0] : 'Grounding';
  return {
    dataset: nameOf,
    task: 'Grounding',
    items,
    copies: [],
    links: [{ at: 'cl_dataset/COCO2014/train2014', target: imagesDir }],
    notes: [
      ...datasets.map((ds) => `${ds}: ${files[`${ds} refs`]} + ${files[`${ds} instances`]}`),
      `images: ${imagesDir}`,
    ],
  };
}
