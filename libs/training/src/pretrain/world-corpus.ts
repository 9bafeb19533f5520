import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoinError } from '@coin/core';
import { readTrainFile, type TrainRecord } from '@coin/data';
import { renderedConversations } from '@coin/model';

/** Where the pretraining corpus lies in a CoIN-Synth world (SYNTH_LAYOUT.pretrain). */
export const CAPTIONS_FILE = 'pretrain/captions.jsonl';

/**
 * One line of pretrain/captions.jsonl: an image with its caption, a text-only world fact, or a
 * text-only chat round (`prompt` the user's message, `text` the reply; docs/file-formats.md#pretraining-corpus).
 */
export interface CaptionLine {
  readonly id: string;
  readonly image?: string;
  /** Present for a chat round: what the user says; `text` is then the assistant's reply. */
  readonly prompt?: string;
  readonly text: string;
}

/** Reads pretrain/captions.jsonl; a missing or damaged file is a clear error, not a crash mid-run. */
export async function readCaptions(dataDir: string): Promise<CaptionLine[]> {
  const path = join(dataDir, CAPTIONS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new CoinError('PRETRAIN.NO_DATA', 'NOT_FOUND', `no pretraining corpus at ${path}`, {
      cause,
      hint: 'point --data at a CoIN-Synth world (`coin prep synth --out DIR`), or leave --data out to generate one',
    });
  }
  const lines: CaptionLine[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      throw badLine(path, i, 'is not JSON', cause);
    }
    const v = value as Partial<CaptionLine>;
    if (typeof v !== 'object' || v === null || typeof v.id !== 'string' || typeof v.text !== 'string')
      throw badLine(path, i, 'needs string fields id and text');
    if (v.image !== undefined && typeof v.image !== 'string') throw badLine(path, i, 'has a non-string image');
    if (v.prompt !== undefined && (typeof v.prompt !== 'string' || v.image !== undefined))
      throw badLine(path, i, 'has a prompt that is not a string, or a prompt and an image (chat rounds are text-only)');
    lines.push({
      id: v.id,
      text: v.text,
      ...(v.image !== undefined ? { image: v.image } : {}),
      ...(v.prompt !== undefined ? { prompt: v.prompt } : {}),
    });
  });
  if (lines.length === 0) throw new CoinError('PRETRAIN.NO_DATA', 'INVALID_ARGUMENT', `${path} holds no lines`);
  return lines;
}

function badLine(path: string, index: number, what: string, cause?: unknown): CoinError {
  return new CoinError('PRETRAIN.BAD_DATA', 'INVALID_ARGUMENT', `${path} line ${index + 1} ${what}`, { cause });
}

/** Every `Instructions_*` /<task>/train.json of a world, in a stated (sorted) order. */
export async function instructionTrainFiles(dataDir: string): Promise<string[]> {
  const files: string[] = [];
  const variants = (await readdir(dataDir, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && e.name.startsWith('Instructions_'))
    .map((e) => e.name)
    .sort();
  for (const variant of variants) {
    const tasks = (await readdir(join(dataDir, variant), { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    for (const task of tasks) {
      const file = join(dataDir, variant, task, 'train.json');
      if ((await readdir(join(dataDir, variant, task))).includes('train.json')) files.push(file);
    }
  }
  return files;
}

export async function readTrainRecords(file: string): Promise<TrainRecord[]> {
  const records: TrainRecord[] = [];
  for await (const r of readTrainFile(file)) records.push(r);
  return records;
}

/**
 * The tokenizer's corpus: the captions, facts and chat rounds, then every training conversation rendered as
 * the model will see it (vicuna_v1 with `<image>` moved to the front, docs/protocol.md#prompt-format-and-loss-masking). Every rendered
 * conversation carries the system text once, so the merges learn it as whole words and it costs
 * about one token per word instead of several.
 */
export async function worldCorpus(dataDir: string): Promise<string[]> {
  const corpus = (await readCaptions(dataDir)).flatMap((l) => (l.prompt !== undefined ? [l.prompt, l.text] : [l.text]));
  for (const file of await instructionTrainFiles(dataDir)) {
    for (const text of renderedConversations(await readTrainRecords(file))) corpus.push(text);
  }
  return corpus;
}
