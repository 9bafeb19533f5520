import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CoinError } from '@coin/core';
import type { ValidationReportBuilder } from '../prep/validation-report.js';
import { readMat5, type MatStruct } from './mat5.js';
import { firstExisting, locate, type OpenedSource, type SourceItem, type SourceSplit } from './source.js';

/**
 * ImageNet ILSVRC-2012 (docs/file-formats.md#raw-source-datasets). Layouts accepted:
 *  - Kaggle's imagenet-object-localization-challenge: `LOC_synset_mapping.txt`, `LOC_val_solution.csv`,
 *    images under `ILSVRC/Data/CLS-LOC/{train,val}`;
 *  - the ILSVRC tars unpacked as `train/<wnid>/*.JPEG` + flat `val/`, with the LOC files beside them;
 *  - validation already sorted into class folders (`val/<wnid>/*.JPEG`, valprep.sh), with the synset
 *    list as `LOC_synset_mapping.txt` or Caffe's `synset_words.txt` (same "wnid names" lines).
 *  - the ILSVRC2012 devkit: `ILSVRC2012_devkit_t12/data/ILSVRC2012_validation_ground_truth.txt`
 *    (one ILSVRC2012_ID per validation image) with `data/meta.mat` (MATLAB; ids → wnids and names).
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
    if (!m)
      throw new CoinError(
        'PREP.SOURCE_FORMAT',
        'INVALID_ARGUMENT',
        `${file}:${i + 1}: expected "<wnid> <names>", found ${JSON.stringify(line.slice(0, 60))}`,
        { details: { file, line: i + 1 } },
      );
    map.set(m[1], coinClassAnswer(m[2]));
  }
  return map;
}

async function sortedDir(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

const DEVKIT = ['ILSVRC2012_devkit_t12/data/', 'devkit/data/', ''];

/** ILSVRC2012_ID → wnid and the wnid → answer names, from the devkit's meta.mat. */
async function readDevkitMeta(file: string): Promise<{ byId: Map<number, string>; names: Map<string, string> }> {
  const synsets = readMat5(await readFile(file), file).get('synsets');
  if (synsets === undefined || synsets.className !== 'struct')
    throw new CoinError('PREP.SOURCE_FORMAT', 'INVALID_ARGUMENT', `${file}: no "synsets" struct array`, {
      details: { file },
    });
  const byId = new Map<number, string>();
  const names = new Map<string, string>();
  for (const s of synsets.value as MatStruct[]) {
    const id = Array.isArray(s.ILSVRC2012_ID) ? s.ILSVRC2012_ID[0] : undefined;
    if (typeof id !== 'number' || typeof s.WNID !== 'string') continue;
    byId.set(id, s.WNID);
    if (typeof s.words === 'string') names.set(s.WNID, coinClassAnswer(s.words));
  }
  return { byId, names };
}

export async function openImageNet(raw: string): Promise<OpenedSource> {
  raw = resolve(raw); // every path below is absolute: links and reports must not depend on the cwd
  const cls = ['', 'ILSVRC/Data/CLS-LOC/', 'Data/CLS-LOC/'];
  const files = await locate('ImageNet', raw, {
    train: { what: 'train class folders', candidates: cls.map((c) => `${c}train`), kind: 'dir' },
    val: { what: 'validation images', candidates: cls.map((c) => `${c}val`), kind: 'dir' },
  });
  const synsetFile = await firstExisting(raw, ['LOC_synset_mapping.txt', 'synset_words.txt']);
  const metaFile = await firstExisting(
    raw,
    DEVKIT.map((d) => `${d}meta.mat`),
  );
  const groundTruth = await firstExisting(
    raw,
    DEVKIT.map((d) => `${d}ILSVRC2012_validation_ground_truth.txt`),
  );
  if (synsetFile === undefined && metaFile === undefined) {
    throw new CoinError(
      'PREP.SOURCE_FILES_MISSING',
      'NOT_FOUND',
      `ImageNet: expected files are missing under ${raw}:\n  synset list: LOC_synset_mapping.txt or synset_words.txt or ILSVRC2012_devkit_t12/data/meta.mat`,
      {
        hint: '--raw must be the ImageNet folder as its official archives unpack',
      },
    );
  }
  const devkit = metaFile === undefined ? undefined : await readDevkitMeta(metaFile);
  const names =
    synsetFile === undefined
      ? (devkit as { names: Map<string, string> }).names
      : parseSynsetMapping(await readFile(synsetFile, 'utf8'), synsetFile);
  const namesFrom = synsetFile ?? (metaFile as string);
  const solution = await firstExisting(raw, ['LOC_val_solution.csv']);
  const valEntries = await sortedDir(files.val);
  const valInClassFolders = valEntries.some((e) => WNID.test(e));
  const useDevkit = !valInClassFolders && solution === undefined && groundTruth !== undefined && devkit !== undefined;
  if (!valInClassFolders && solution === undefined && !useDevkit) {
    throw new CoinError(
      'PREP.SOURCE_FILES_MISSING',
      'NOT_FOUND',
      `ImageNet: no validation labels under ${raw}: expected LOC_val_solution.csv, val/ sorted into <wnid>/ class folders, or the devkit's ILSVRC2012_validation_ground_truth.txt with its meta.mat`,
      {
        hint: groundTruth
          ? `found ${groundTruth} but not the devkit's data/meta.mat that maps its ids to wnids; unpack the whole ILSVRC2012_devkit_t12`
          : 'download LOC_val_solution.csv (Kaggle ImageNet localization), or unpack ILSVRC2012_devkit_t12 beside train/ and val/',
      },
    );
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
          for (const f of images) report.drop({ split: name, id: f, reason: `class ${wnid} is not in ${namesFrom}` });
          continue;
        }
        for (const f of images)
          yield {
            id: f,
            image: `ImageNet_withlabel/${folder}/${wnid}/${f}`,
            imageFile: join(root, wnid, f),
            question,
            answer,
          };
      }
      return;
    }
    if (useDevkit) {
      // One ILSVRC2012_ID per line; line i labels ILSVRC2012_val_<i, 8 digits>.JPEG.
      const lines = (await readFile(groundTruth as string, 'utf8')).split(/\r?\n/);
      for (const [i, line] of lines.entries()) {
        if (line.trim() === '') continue;
        report.countSource(name);
        const file = `ILSVRC2012_val_${String(i + 1).padStart(8, '0')}.JPEG`;
        const wnid = (devkit as { byId: Map<number, string> }).byId.get(Number(line.trim()));
        const answer = wnid === undefined ? undefined : names.get(wnid);
        if (answer === undefined) {
          report.drop({
            split: name,
            id: file,
            reason: `ILSVRC2012_ID ${line.trim()} has no synset name`,
            source: `${groundTruth}:${i + 1}`,
          });
          continue;
        }
        yield { id: file, image: `ImageNet_withlabel/val/${file}`, imageFile: join(files.val, file), question, answer };
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
        report.drop({
          split: name,
          id: imageId || `line ${i + 1}`,
          reason: 'row without an image id and a wnid',
          source: `${solution}:${i + 1}`,
        });
        continue;
      }
      labelled.push([imageId.trim(), wnid]);
    }
    labelled.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [imageId, wnid] of labelled) {
      const answer = names.get(wnid);
      const file = `${imageId}.JPEG`;
      if (answer === undefined) {
        report.drop({ split: name, id: file, reason: `class ${wnid} is not in ${namesFrom}` });
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
    notes: [
      `synset names: ${namesFrom}`,
      `validation labels: ${valInClassFolders ? 'class folders in val/' : useDevkit ? groundTruth : solution}`,
      'training images are read from class folders; CoIN uses a subset: see --fraction',
    ],
  };
}
