import { copyFile, mkdir, readdir, rename, rm, stat, symlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  checkOutputDir,
  CoinError,
  isObject,
  makeParentDirs,
  removeStaleTempsBeside,
  tempPathBeside,
} from '@coin/core';
import { writeTestFile, writeTrainFile } from '../formats/coin-files.js';
import { buildTestRecord, buildTrainRecord, type RecordParts } from '../formats/build-records.js';
import { type InstructionVariant, type RecordId, TEST_FILE_OF_TASK, VARIANT_FOLDERS } from '../formats/records.js';
import {
  type ImageLink,
  ImageChecker,
  type ImageState,
  type OpenedSource,
  type SourceItem,
  type SourceSplit,
} from '../readers/source.js';
import { renderPrompt } from '../templates/instructions.js';
import { selectVolume } from '../templates/volume.js';
import { MANIFEST_FILE, type Manifest, readManifest, writeManifest } from './manifest.js';
import { Progress } from './progress.js';
import { type ValidationReport, ValidationReportBuilder, writeValidationReport } from './validation-report.js';

/**
 * `coin prep <Dataset>`: source items → CoIN files in a temp directory beside --out, then moved
 * into place. Nothing half-written ever appears in --out: a fresh --out is one rename; an existing
 * CoIN output gets the task's folders replaced one rename each, and a new manifest last.
 */
export interface PrepareOptions {
  readonly out: string;
  readonly variant: InstructionVariant;
  /** Volume fraction of the training split (docs/protocol.md#instruction-volume); 1 keeps everything. */
  readonly fraction: number;
  readonly seed: number;
  /** Progress output (a TTY gets a bar). */
  readonly progress?: { write(s: string): unknown; isTTY?: boolean };
  /** Stops the run between records and steps; the temp folder is removed and --out left untouched. */
  readonly signal?: AbortSignal;
}

export interface PrepareResult {
  readonly out: string;
  readonly counts: Record<string, number>;
  readonly report: ValidationReport;
  readonly summary: string;
  readonly manifest: Manifest;
}

export const PREP_MANIFEST_KIND = 'coin-prep';

/** Images being decoded at once while records stream by (sharp decodes on its own threads). */
const IMAGE_LOOKAHEAD = 16;

export async function prepareDataset(source: OpenedSource, options: PrepareOptions): Promise<PrepareResult> {
  const target = await checkOutputDir(options.out, { flag: '--out', beside: true });
  const out = target.path;
  const existing = await checkOutDir(out);
  await removeStaleTempsBeside(out);
  options.signal?.throwIfAborted();
  await makeParentDirs(target);
  const temp = tempPathBeside(out);
  await mkdir(temp);
  try {
    const report = new ValidationReportBuilder(source.dataset);
    for (const n of source.notes) report.note(n);
    report.note(`variant ${options.variant}, training fraction ${options.fraction}, seed ${options.seed}`);
    const taskDir = join(VARIANT_FOLDERS[options.variant], source.task);
    const images = new ImageChecker();
    await writeSplit(source, 'train', join(temp, taskDir, 'train.json'), options, report, images);
    await writeSplit(source, 'test', join(temp, taskDir, TEST_FILE_OF_TASK[source.task]), options, report, images);
    for (const c of source.copies) {
      options.signal?.throwIfAborted();
      await mkdir(dirname(join(temp, c.to)), { recursive: true });
      await copyFile(c.from, join(temp, c.to));
    }
    for (const l of source.links) await makeLink(temp, l);
    const frozen = report.toReport();
    const reportDir = join('reports', source.dataset);
    const summary = await writeValidationReport(join(temp, reportDir), frozen);
    const produced = [taskDir, reportDir, ...source.copies.map((c) => c.to), ...source.links.map((l) => l.at)];
    const params = {
      [source.dataset]: { variant: options.variant, fraction: options.fraction, seed: options.seed, task: source.task },
    };
    // The last point to stop: moving into place must not be cut short.
    options.signal?.throwIfAborted();
    const manifest = await moveIntoPlace(temp, out, existing, produced, frozen.counts, params);
    return { out, counts: frozen.counts, report: frozen, summary, manifest };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** What --out holds before we write: nothing, an empty folder, or an earlier prep output. */
type OutDir = { readonly exists: false } | { readonly exists: true; readonly previous?: Manifest };

/** --out must be absent, empty, or an earlier `coin prep` output (which we add to). */
async function checkOutDir(out: string): Promise<OutDir> {
  let entries: string[];
  try {
    const s = await stat(out);
    if (!s.isDirectory())
      throw new CoinError('PREP.OUT_NOT_DIR', 'INVALID_ARGUMENT', `--out ${out} exists and is not a directory`);
    entries = await readdir(out);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false };
    throw e;
  }
  if (entries.length === 0) return { exists: true };
  if (!entries.includes(MANIFEST_FILE)) {
    throw new CoinError(
      'PREP.OUT_NOT_EMPTY',
      'INVALID_ARGUMENT',
      `--out ${out} is not empty and is not a \`coin prep\` output (no ${MANIFEST_FILE})`,
      { hint: 'choose a new or empty --out directory' },
    );
  }
  const manifest = await readManifest(out);
  if (manifest.kind !== PREP_MANIFEST_KIND) {
    throw new CoinError(
      'PREP.OUT_OTHER_KIND',
      'INVALID_ARGUMENT',
      `--out ${out} holds a "${manifest.kind}" output; real datasets are added only to "${PREP_MANIFEST_KIND}" outputs`,
      { hint: 'choose another --out directory' },
    );
  }
  return { exists: true, previous: manifest };
}

async function makeLink(root: string, link: ImageLink): Promise<void> {
  const path = join(root, link.at);
  await mkdir(dirname(path), { recursive: true });
  await symlink(resolve(link.target), path, 'dir');
}

async function writeSplit(
  source: OpenedSource,
  split: SourceSplit,
  path: string,
  options: PrepareOptions,
  report: ValidationReportBuilder,
  images: ImageChecker,
): Promise<void> {
  const name = `${source.task}/${split}`;
  let keep: (id: RecordId) => boolean = () => true;
  if (split === 'train' && options.fraction < 1) {
    // Pass 1: the ids, to pick an exact fraction (drops are reported in pass 2 only).
    const ids: RecordId[] = [];
    for await (const item of source.items(split, new ValidationReportBuilder('pass-1'))) ids.push(item.id);
    keep = selectVolume([...new Set(ids.map(String))], options.fraction, options.seed);
  }
  const progress = options.progress ? new Progress(options.progress, `${source.dataset} ${split}`) : undefined;
  const seen = new Set<RecordId>();
  /** The items to consider: first of each id, kept by the fraction. */
  async function* candidates(): AsyncIterable<SourceItem> {
    for await (const item of source.items(split, report)) {
      options.signal?.throwIfAborted();
      progress?.tick();
      if (seen.has(item.id)) {
        report.drop({ split: name, id: item.id, reason: 'duplicate id' });
        continue;
      }
      seen.add(item.id);
      if (keep(item.id)) yield item;
    }
  }
  /** A record's parts, or undefined (reported) when its image is missing or corrupt. */
  async function withImage(item: SourceItem, state: Promise<ImageState> | undefined): Promise<RecordParts | undefined> {
    const found = await state;
    if (found !== undefined && !found.ok) {
      const image = item.image ?? '';
      const path = item.imageFile ?? '';
      if (found.problem === 'missing') report.missingImage({ split: name, id: item.id, image, lookedFor: path });
      else report.corruptImage({ split: name, id: item.id, image, path, reason: found.reason ?? 'cannot be decoded' });
      return undefined;
    }
    return recordParts(source, item, options);
  }
  /** The items to write, in source order; images are decoded IMAGE_LOOKAHEAD items ahead, in parallel. */
  async function* parts(): AsyncIterable<RecordParts> {
    const window: Array<[SourceItem, Promise<ImageState> | undefined]> = [];
    for await (const item of candidates()) {
      const state = item.image !== undefined && item.imageFile !== undefined ? images.check(item.imageFile) : undefined;
      window.push([item, state]);
      if (window.length < IMAGE_LOOKAHEAD) continue;
      const ready = await withImage(...window.shift()!);
      if (ready) yield ready;
    }
    for (const [item, state] of window) {
      const ready = await withImage(item, state);
      if (ready) yield ready;
    }
  }
  async function* mapped<T>(build: (p: RecordParts) => T): AsyncIterable<T> {
    for await (const p of parts()) yield build(p);
  }
  // Each record is validated before it is written; a bad one aborts the file (never renamed in).
  const written =
    split === 'train'
      ? await writeTrainFile(path, mapped(buildTrainRecord))
      : await writeTestFile(
          path,
          mapped((p) => buildTestRecord(source.task, p)),
          source.task,
        );
  progress?.finish();
  report.count(name, written);
  if (split === 'train' && options.fraction < 1)
    report.note(`${name}: kept ${written} at volume fraction ${options.fraction}`);
}

function recordParts(source: OpenedSource, item: SourceItem, options: PrepareOptions): RecordParts {
  const prompt = renderPrompt(source.task, options.variant, item.question, item.id, options.seed);
  return { id: item.id, image: item.image, prompt, answer: item.answer, size: item.size };
}

/** Fresh --out: one rename. Existing output: replace our paths one by one, then a new manifest. */
async function moveIntoPlace(
  temp: string,
  out: string,
  existing: OutDir,
  produced: readonly string[],
  counts: Record<string, number>,
  params: Record<string, unknown>,
): Promise<Manifest> {
  const previous = existing.exists ? existing.previous : undefined;
  const mergedCounts = { ...(previous?.counts ?? {}) };
  const tasks = new Set(Object.keys(counts).map((k) => k.split('/')[0]));
  for (const key of Object.keys(mergedCounts)) if (tasks.has(key.split('/')[0])) delete mergedCounts[key];
  Object.assign(mergedCounts, counts);
  const previousParams = previous && isObject(previous.params) ? previous.params : {};
  const info = { kind: PREP_MANIFEST_KIND, params: { ...previousParams, ...params }, counts: mergedCounts };
  if (!existing.exists) {
    const manifest = await writeManifest(temp, info); // relative paths: the same once renamed
    await rename(temp, out);
    return manifest;
  }
  await rm(join(out, MANIFEST_FILE), { force: true }); // the directory is "unfinished" until the new manifest
  for (const rel of produced) {
    const target = join(out, rel);
    await mkdir(dirname(target), { recursive: true });
    await rm(target, { recursive: true, force: true });
    await rename(join(temp, rel), target);
  }
  return writeManifest(out, info);
}
