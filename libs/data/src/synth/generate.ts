import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { buildTestRecord, buildTrainRecord, type RecordParts } from '../formats/build-records.js';
import {
  COIN_TASKS,
  TEST_FILE_OF_TASK,
  VARIANT_FOLDERS,
  type CoinTask,
  type InstructionVariant,
} from '../formats/records.js';
import { writeTestFile, writeTrainFile } from '../formats/coin-files.js';
import { writeJsonlFile } from '../formats/json-writer.js';
import { Progress } from '../prep/progress.js';
import { Rng } from '@coin/core';
import { ensureFonts } from './fonts.js';
import { renderPrompt } from '../templates/instructions.js';
import { selectVolume } from '../templates/volume.js';
import { OFFICIAL_FILES, gqaTestdevFile, scienceqaFiles, textvqaValFile } from './official.js';
import { LANGUAGE_FACTS, worldChats } from './chats.js';
import { worldFacts } from './facts.js';
import { TASK_GENERATORS, type Split, type SynthItem } from './tasks/index.js';

export interface SynthOptions {
  readonly seed: number;
  /** Training items per task before the volume fraction. */
  readonly train: number;
  /** Test (or val) items per task. */
  readonly test: number;
  /** Longer image side in pixels. */
  readonly imageSize: number;
  readonly variant: InstructionVariant;
  /** Fraction of each task's training items kept (CoIN's instruction-volume experiment). */
  readonly fraction: number;
  /** Captioned pretraining images per task (plus every world fact as a text-only line). */
  readonly pretrain: number;
}

export const DEFAULT_SYNTH_OPTIONS: SynthOptions = {
  seed: 0,
  train: 200,
  test: 50,
  imageSize: 64,
  variant: 'original',
  fraction: 1,
  pretrain: 200,
};

/** Where things are inside an output folder. */
export const SYNTH_LAYOUT = {
  /**
   * CoIN's `--image_folder` (`cl_dataset`, as `coin prep <Dataset>` and the scorers' defaults
   * use): record image paths and the official annotation files are relative to it.
   */
  images: 'cl_dataset',
  /** The validation report, where `coin prep <Dataset>` puts its own (reports/<dataset>/). */
  reports: 'reports/synth',
  pretrain: 'pretrain/captions.jsonl',
  instructions: (variant: InstructionVariant, task: CoinTask, file: string): string =>
    `${VARIANT_FOLDERS[variant]}/${task}/${file}`,
};

export interface SynthTaskOutput {
  readonly task: CoinTask;
  readonly train: readonly SynthItem[];
  readonly test: readonly SynthItem[];
  /** Training items generated before the volume fraction was applied. */
  readonly trainBeforeFraction: number;
}

export interface ProgressSink {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export function generateItem(task: CoinTask, seed: number, split: Split, index: number, imageSize: number): SynthItem {
  return TASK_GENERATORS[task]({ rng: Rng.for(seed, task, split, index), split, index, imageSize });
}

class ImageWriter {
  private readonly dirs = new Set<string>();
  constructor(
    private readonly root: string,
    /** Checked before every image: the one step a large world repeats thousands of times. */
    private readonly signal?: AbortSignal,
  ) {}
  async write(relative: string, bytes: Buffer): Promise<void> {
    this.signal?.throwIfAborted();
    const path = join(this.root, relative);
    const dir = dirname(path);
    if (!this.dirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.dirs.add(dir);
    }
    await writeFile(path, bytes);
  }
}

/** A synth item as record parts, its prompt through the shared templates (Original/Diverse/10Type, docs/protocol.md#instruction-templates), as real-data prep does. */
function recordParts(task: CoinTask, item: SynthItem, options: SynthOptions): RecordParts {
  const prompt = renderPrompt(task, options.variant, item.prompt, item.id, options.seed);
  return { id: item.id, image: item.imagePath, prompt, answer: item.answer, size: item.size };
}

/**
 * Writes the whole world into `dir` (expected empty): instruction files, images, official
 * annotation files and the pretraining corpus. Deterministic: same options → same bytes.
 */
export async function writeSynthWorld(
  dir: string,
  options: SynthOptions,
  progress?: ProgressSink,
  signal?: AbortSignal,
): Promise<SynthTaskOutput[]> {
  ensureFonts();
  const images = new ImageWriter(join(dir, SYNTH_LAYOUT.images), signal);
  const outputs: SynthTaskOutput[] = [];
  for (const task of COIN_TASKS) {
    // Items are cheap until rendered: generate every training item, keep the volume fraction
    // (the same seeded rule as real-data prep), then render only what is kept.
    const allTrain = Array.from({ length: options.train }, (_, i) =>
      generateItem(task, options.seed, 'train', i, options.imageSize),
    );
    const keep = selectVolume(
      allTrain.map((item) => item.id),
      options.fraction,
      options.seed,
    );
    const train = allTrain.filter((item) => keep(item.id));
    const test = Array.from({ length: options.test }, (_, i) =>
      generateItem(task, options.seed, 'test', i, options.imageSize),
    );
    const bar = progress ? new Progress(progress, `synth ${task}`, { total: train.length + test.length }) : undefined;
    for (const item of [...train, ...test]) {
      if (item.imagePath && item.renderImage) await images.write(item.imagePath, item.renderImage());
      bar?.tick();
    }
    await writeTrainFile(
      join(dir, SYNTH_LAYOUT.instructions(options.variant, task, 'train.json')),
      train.map((item) => buildTrainRecord(recordParts(task, item, options))),
    );
    await writeTestFile(
      join(dir, SYNTH_LAYOUT.instructions(options.variant, task, TEST_FILE_OF_TASK[task])),
      test.map((item) => buildTestRecord(task, recordParts(task, item, options))),
      task,
    );
    await writeOfficial(join(dir, SYNTH_LAYOUT.images), task, train, test);
    bar?.finish();
    outputs.push({ task, train, test, trainBeforeFraction: options.train });
  }
  await writePretrain(dir, options, images, progress);
  return outputs;
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(value)}\n`);
}

async function writeOfficial(
  imageRoot: string,
  task: CoinTask,
  train: readonly SynthItem[],
  test: readonly SynthItem[],
): Promise<void> {
  if (task === 'ScienceQA') {
    const { problems, splits } = scienceqaFiles(train, test);
    await writeJson(join(imageRoot, OFFICIAL_FILES.scienceqaProblems), problems);
    await writeJson(join(imageRoot, OFFICIAL_FILES.scienceqaSplits), splits);
  } else if (task === 'TextVQA') {
    await writeJson(join(imageRoot, OFFICIAL_FILES.textvqaVal), textvqaValFile(test));
  } else if (task === 'GQA') {
    await writeJson(join(imageRoot, OFFICIAL_FILES.gqaTestdev), gqaTestdevFile(test));
  }
}

/**
 * The base model's pretraining corpus: fresh images of every task's kind (scenes, signs, books,
 * blurry photos) with free-form captions, then the world's facts as text-only lines. Phrased as
 * descriptions, never as questions with answer-format instructions.
 */
async function writePretrain(
  dir: string,
  options: SynthOptions,
  images: ImageWriter,
  progress?: ProgressSink,
): Promise<void> {
  const bar = progress
    ? new Progress(progress, 'synth pretrain', { total: options.pretrain * COIN_TASKS.length })
    : undefined;
  const lines: Array<Record<string, string>> = [];
  for (let i = 0; i < options.pretrain; i++) {
    for (const task of COIN_TASKS) {
      // A stream of its own: pretraining images never repeat task images.
      const item = TASK_GENERATORS[task]({
        rng: Rng.for(options.seed, 'pretrain', task, i),
        split: 'train',
        index: i,
        imageSize: options.imageSize,
      });
      bar?.tick();
      if (!item.caption) continue;
      const id = `pretrain_${task}_${String(i).padStart(6, '0')}`;
      if (item.renderImage) {
        const image = `Pretrain/${task}/${id}.png`;
        await images.write(image, item.renderImage());
        lines.push({ id, image, text: item.caption });
      }
    }
  }
  [...worldFacts(), ...LANGUAGE_FACTS].forEach((text, i) =>
    lines.push({ id: `fact_${String(i).padStart(4, '0')}`, text }),
  );
  // The language half: text-only chat rounds, two per captioned image of a task (docs/protocol.md#the-base-model).
  worldChats(options.seed, options.pretrain * 2).forEach((chat, i) =>
    lines.push({ id: `chat_${String(i).padStart(5, '0')}`, prompt: chat.prompt, text: chat.reply }),
  );
  await mkdir(join(dir, 'pretrain'), { recursive: true });
  await writeJsonlFile(join(dir, SYNTH_LAYOUT.pretrain), lines);
  bar?.finish();
}
