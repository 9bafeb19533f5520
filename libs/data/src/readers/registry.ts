import { CoinError } from '@coin/core';
import type { CoinTask } from '../formats/records.js';
import { openGQA } from './gqa.js';
import { openImageNet } from './imagenet.js';
import { openOCRVQA } from './ocrvqa.js';
import { openGrounding } from './refcoco.js';
import { openScienceQA } from './scienceqa.js';
import type { OpenOptions, OpenedSource } from './source.js';
import { openTextVQA } from './textvqa.js';
import { openVizWiz } from './vizwiz.js';
import { openVQAv2 } from './vqav2.js';

/** Every real dataset `coin prep` converts, by the name the user types (case-insensitive). */
export interface DatasetEntry {
  readonly name: string;
  readonly task: CoinTask;
  /** What --raw must be, for --help and errors. */
  readonly raw: string;
  readonly open: (raw: string, options: OpenOptions) => Promise<OpenedSource>;
}

export const DATASETS: readonly DatasetEntry[] = [
  {
    name: 'ScienceQA',
    task: 'ScienceQA',
    raw: 'folder with problems.json, pid_splits.json and images/{train,test}/<pid>/image.png',
    open: (raw) => openScienceQA(raw),
  },
  {
    name: 'TextVQA',
    task: 'TextVQA',
    raw: 'folder with TextVQA_0.5.1_{train,val}.json and train_images/',
    open: (raw) => openTextVQA(raw),
  },
  {
    name: 'ImageNet',
    task: 'ImageNet',
    raw: 'ILSVRC folder: [ILSVRC/Data/CLS-LOC/]{train,val}/ with LOC_synset_mapping.txt + LOC_val_solution.csv, or the ILSVRC2012_devkit_t12, or val/ in class folders',
    open: (raw) => openImageNet(raw),
  },
  {
    name: 'GQA',
    task: 'GQA',
    raw: 'folder with {train,testdev}_balanced_questions.json and images/',
    open: (raw) => openGQA(raw),
  },
  {
    name: 'VizWiz',
    task: 'VizWiz',
    raw: 'folder with Annotations/{train,val}.json and {train,val}/',
    open: (raw) => openVizWiz(raw),
  },
  {
    name: 'Grounding',
    task: 'Grounding',
    raw: 'refer data folder with refcoco/, refcoco+/, refcocog/ (+ COCO train2014, or --images)',
    open: (raw, o) => openGrounding(raw, ['RefCOCO', 'RefCOCO+', 'RefCOCOg'], o),
  },
  {
    name: 'RefCOCO',
    task: 'Grounding',
    raw: 'refcoco/ folder (refs(unc).p, instances.json) (+ --images)',
    open: (raw, o) => openGrounding(raw, ['RefCOCO'], o),
  },
  {
    name: 'RefCOCO+',
    task: 'Grounding',
    raw: 'refcoco+/ folder (refs(unc).p, instances.json) (+ --images)',
    open: (raw, o) => openGrounding(raw, ['RefCOCO+'], o),
  },
  {
    name: 'RefCOCOg',
    task: 'Grounding',
    raw: 'refcocog/ folder (refs(umd).p, instances.json) (+ --images)',
    open: (raw, o) => openGrounding(raw, ['RefCOCOg'], o),
  },
  {
    name: 'VQAv2',
    task: 'VQAv2',
    raw: 'folder with the v2_*2014 questions/annotations JSON (+ train2014/, val2014/ or --images)',
    open: (raw, o) => openVQAv2(raw, o),
  },
  { name: 'OCRVQA', task: 'OCRVQA', raw: 'folder with dataset.json and images/', open: (raw) => openOCRVQA(raw) },
];

export function findDataset(name: string): DatasetEntry {
  const key = name.toLowerCase().replace(/[-_]/g, '');
  const entry = DATASETS.find((d) => d.name.toLowerCase().replace(/[-_]/g, '') === key);
  if (entry === undefined) {
    throw new CoinError('PREP.UNKNOWN_DATASET', 'INVALID_ARGUMENT', `unknown dataset ${JSON.stringify(name)}`, {
      hint: `use one of: synth, ${DATASETS.map((d) => d.name).join(', ')}`,
    });
  }
  return entry;
}
