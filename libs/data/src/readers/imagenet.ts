import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CoinError } from '@coin/core';
import type { ValidationReportBuilder } from '../prep/validation-report.js';
import { firstExisting, locate, type OpenedSource, type SourceItem, type SourceSplit } from './source.js';

/**
 * ImageNet ILSVRC-2012 (COIN.md §2.5). Layouts accepted:
 *  - Kaggle's imagenet-object-localization-challenge: `LOC_synset_mapping.txt`, `LOC_val_solution.csv`,
 *    images under `ILSVRC/Data/CLS-LOC/{train,val}`;
 *  - the ILSVRC tars unpacked as `train/<wnid>/*.JPEG` + flat `val/`, with the LOC files beside them;
 *  - validation already sorted into class folders (`val/<wnid>/*.JPEG`, valprep.sh), with the synset
 *    list as `LOC_synset_mapping.txt` or Caffe's `synset_words.txt` (same "wnid names" lines).
 * The devkit's `ILSVRC2012_validation_ground_truth.txt` holds ILSVRC2012 ids whose wnids live in
 * the devkit's MATLAB `meta.mat`, which we do not read: that layout is refused with a hint.
 *
 * CoIN's answer is the class's first synonym with Python's str.capitalize() ("Dandie dinmont").
 */
const IMAGE_EXT = /\.(jpe?g|png)$/i;
const WNID = /^n\d{8}$/;

/** Python's str.capitalize(): first character upper-cased, the rest lower-cased. */
export function pythonCapitalize(text: string): string {
  return text.length === 0 ? text : text[0].toUpperCase() + text.slice(1).toLowerCase();
}

export function coinClassAnswer(names: string): string {
  return pythonCapitalize(names.split(',')[0].trim());
}

export function parseSynsetMapping(text: string, file: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const m = /^(n\d{8})\s+(.+)$/.exec(line);
    if (!m) throw new CoinError('PREP.SOURCE_FORMAT', 'INVALID_ARGUMENT', `${file}:${i + 1}: expected "<wnid> <names>", found ${JSON.stringify(line.slice(0, 60))}`, { details: { file, line: i + 1 } });
    map.set(m[1], coinClassAnswer(m[2]));
  }
  return map;
}

async function sortedDir(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

export async function openImageNet(raw: string): Promise<OpenedSource> {
  raw = resolve(raw); // every path below is absolute: links and reports must not depend on the cwd
  const cls = ['', 'ILSVRC/Data/CLS-LOC/', 'Data/CLS-LOC/'];
  const files = await locate('ImageNet', raw, {
    synsets: { what: 'synset list', candidates: ['LOC_synset_mapping.txt', 'synset_words.txt'] },
    train: { what: 'train class folders', candidates: cls.map((c) => `${c}train`), kind: 'dir' },
    val: { what: 'validation images', candidates: cls.map((c) => `${c}val`), kind: 'dir' },
  });
  const names = parseSynsetMapping(await readFile(files.synsets, 'utf8'), files.synsets);
  const solution = await firstExisting(raw, ['LOC_val_solution.csv']);
  const valEntries = await sortedDir(files.val);
  const valInClassFolders = valEntries.some((e) => WNID.test(e));
  if (solution === undefined && !valInClassFolders) {
    const devkit = await firstExisting(raw, ['ILSVRC2012_devkit_t12/data/ILSVRC2012_validation_ground_truth.txt', 'ILSVRC2012_validation_ground_truth.txt']);
    throw new CoinError('PREP.SOURCE_FILES_MISSING', 'NOT_FOUND', `ImageNet: no validation labels under ${raw}: expected LOC_val_solution.csv, or val/ sorted into <wnid>/ class folders`, {
      hint: devkit
        ? `the devkit ground truth (${devkit}) lists ILSVRC2012 ids whose wnids are only in meta.mat (MATLAB); sort val/ into class folders (the devkit's valprep.sh) or add LOC_val_solution.csv`
        : 'download LOC_val_solution.csv (Kaggle ImageNet localization) or sort val/ into class folders with valprep.sh',
    });
  }

  async function* items(split: SourceSplit, report: ValidationReportBuilder): AsyncGenerator<SourceItem> {
    const name = `ImageNet/${split}`;
    const question = 'What is the object in the image?';
    if (split === 'train' || valInClassFolders) {
      const root = split === 'train' ? files.train : files.val;
      const folder = split === 'train' ? 'train' : 'val';
      for (const wnid of await sortedDir(root)) {
        if (!WNID.test(wnid)) continue;
        const answer = names.get(wnid);
        const images = (await sortedDir(join(root, wnid))).filter((f) => IMAGE_EXT.test(f));
        report.countSource(name, images.length);
        if (answer === undefined) {
          for (const f of images) report.drop({ split: name, id: f, reason: `class ${wnid} is not in ${files.synsets}` });
          continue;
        }
        for (const f of images) yield { id: f, image: `ImageNet_withlabel/${folder}/${wnid}/${f}`, imageFile: join(root, wnid, f), question, answer };
      }
      return;
    }
    // LOC_val_solution.csv: "ImageId,PredictionString" with "wnid x1 y1 x2 y2 ..." (first wnid = label).
    const rows = (await readFile(solution as string, 'utf8')).split(/\r?\n/);
    const labelled: Array<[string, string]> = [];
    for (const [i, row] of rows.entries()) {
      if (i === 0 || row.trim() === '') continue;
      report.countSource(name);
      const [imageId, prediction] = row.split(',');
      const wnid = (prediction ?? '').trim().split(/\s+/)[0];
      if (!imageId || !WNID.test(wnid)) {
        report.drop({ split: name, id: imageId || `line ${i + 1}`, reason: 'row without an image id and a wnid', source: `${solution}:${i + 1}` });
        continue;
      }
      labelled.push([imageId.trim(), wnid]);
    }
    labelled.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [imageId, wnid] of labelled) {
      const answer = names.get(wnid);
      const file = `${imageId}.JPEG`;
      if (answer === undefined) {
        report.drop({ split: name, id: file, reason: `class ${wnid} is not in ${files.synsets}` });
        continue;
      }
      yield { id: file, image: `ImageNet_withlabel/val/${file}`, imageFile: join(files.val, file), question, answer };
    }
  }

  return {
    dataset: 'ImageNet',
    task: 'ImageNet',
    items,
    copies: [],
    links: [
      { at: 'cl_dataset/ImageNet_withlabel/train', target: files.train },
      { at: 'cl_dataset/ImageNet_withlabel/val', target: files.val },
    ],
    notes: [`synsets: ${files.synsets}`, `validation labels: ${valInClassFolders ? 'class folders in val/' : solution}`, 'training images are read from class folders; CoIN uses a subset: see --fraction'],
  };
}
