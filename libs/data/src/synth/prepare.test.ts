import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COIN_TASKS, TEST_FILE_OF_TASK } from '../formats/records.js';
import { verifyManifest } from '../prep/manifest.js';
import { prepareSynth } from './prepare.js';
import { checkSynthWorld } from './check.js';
import { OFFICIAL_FILES } from './official.js';
import { SYNTH_LAYOUT, type SynthOptions } from './generate.js';

const SMALL: SynthOptions = {
  seed: 3,
  train: 16,
  test: 6,
  imageSize: 48,
  variant: 'original',
  fraction: 1,
  pretrain: 2,
};

async function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'coin-synth-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

test('same seed → byte-identical folders (every file hashed); another seed → different', async () => {
  await withTemp(async (dir) => {
    const a = await prepareSynth(join(dir, 'a'), SMALL);
    const b = await prepareSynth(join(dir, 'b'), SMALL);
    assert.deepEqual(b.manifest.files, a.manifest.files);
    assert.equal(
      await readFile(join(dir, 'a/manifest.json'), 'utf8'),
      await readFile(join(dir, 'b/manifest.json'), 'utf8'),
    );
    const c = await prepareSynth(join(dir, 'c'), { ...SMALL, seed: 4 });
    assert.notDeepEqual(c.manifest.files, a.manifest.files);
    await verifyManifest(join(dir, 'a'));
    // Nothing but the three outputs: no temp folders left beside them.
    assert.deepEqual((await readdir(dir)).sort(), ['a', 'b', 'c']);
  });
});

test('the written world has CoIN files, official annotation files the scorers read, and a pretraining corpus', async () => {
  await withTemp(async (dir) => {
    const out = join(dir, 'world');
    const result = await prepareSynth(out, SMALL);
    assert.deepEqual((await checkSynthWorld(out, 'original')).problems, []);
    for (const task of COIN_TASKS) {
      assert.equal(result.manifest.counts[`${task}/train`], 16);
      const testFile = await readJson<Array<{ question_id: unknown; text: string }>>(
        join(out, 'Instructions_Original', task, TEST_FILE_OF_TASK[task]),
      );
      assert.equal(testFile.length, 6);
      for (const r of testFile)
        assert.ok(
          task === 'Grounding' ? r.text.startsWith('Please provide the bounding box') : r.text.split('\n').length >= 2,
        );
    }
    const images = join(out, SYNTH_LAYOUT.images);
    // ScienceQA: problems.json keyed by string pid, 0-based answer; pid_splits with string ids.
    const problems = await readJson<
      Record<string, { choices: string[]; answer: number; split: string; image: string | null }>
    >(join(images, OFFICIAL_FILES.scienceqaProblems));
    const splits = await readJson<Record<string, string[]>>(join(images, OFFICIAL_FILES.scienceqaSplits));
    assert.equal(splits.test.length, 6);
    for (const pid of splits.test) {
      assert.equal(typeof pid, 'string');
      assert.equal(problems[pid].split, 'test');
      assert.ok(Number.isInteger(problems[pid].answer) && problems[pid].answer < problems[pid].choices.length);
    }
    // TextVQA: {data: [...]} with 10 answers per val question, numeric ids as in the test file.
    const textvqa = await readJson<{
      dataset_version: string;
      data: Array<{ question_id: number; answers: string[]; image_id: string }>;
    }>(join(images, OFFICIAL_FILES.textvqaVal));
    assert.equal(textvqa.dataset_version, '0.5.1');
    assert.equal(textvqa.data.length, 6);
    for (const d of textvqa.data) {
      assert.equal(typeof d.question_id, 'number');
      assert.equal(d.answers.length, 10);
    }
    // GQA: object keyed by question id with the fields the scorer reads.
    const gqa = await readJson<
      Record<
        string,
        {
          answer: string;
          isBalanced: boolean;
          types: Record<string, string>;
          groups: Record<string, unknown>;
          semantic: unknown[];
          question: string;
          imageId: string;
        }
      >
    >(join(images, OFFICIAL_FILES.gqaTestdev));
    assert.equal(Object.keys(gqa).length, 6);
    for (const q of Object.values(gqa)) {
      assert.equal(q.isBalanced, true);
      assert.ok(['verify', 'query', 'choose', 'logical', 'compare'].includes(q.types.structural));
      assert.ok(typeof q.types.semantic === 'string' && 'global' in q.groups && q.semantic.length > 0);
    }
    // Pretraining corpus: captions with images that exist, then text-only facts; never instructions.
    const lines = (await readFile(join(out, 'pretrain/captions.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { image?: string; text: string });
    // Two pictures per task, less ScienceQA's text-only items (they have no picture to caption).
    const pictured = lines.filter((l) => l.image).length;
    assert.ok(
      pictured >= 2 * (COIN_TASKS.length - 1) && pictured <= 2 * COIN_TASKS.length,
      `${pictured} captioned images`,
    );
    assert.ok(lines.some((l) => !l.image));
    for (const l of lines) {
      assert.doesNotMatch(l.text, /single word|option's letter|bounding box/);
      if (l.image) await readFile(join(images, l.image));
    }
    assert.match(result.summary, /ScienceQA\/train: 16/);
  });
});

test('fraction keeps a seeded subset of training items; variants change the instruction wording', async () => {
  await withTemp(async (dir) => {
    const half = await prepareSynth(join(dir, 'half'), { ...SMALL, fraction: 0.5 });
    for (const task of COIN_TASKS) assert.equal(half.manifest.counts[`${task}/train`], 8);
    const splits = await readJson<Record<string, string[]>>(
      join(dir, 'half', SYNTH_LAYOUT.images, OFFICIAL_FILES.scienceqaSplits),
    );
    assert.equal(splits.train.length, 8);
    const diverse = await prepareSynth(join(dir, 'diverse'), { ...SMALL, variant: 'diverse' });
    assert.equal(diverse.manifest.counts['GQA/test'], 6);
    const text = await readFile(join(dir, 'diverse/Instructions_Diverse/GQA/test.json'), 'utf8');
    assert.doesNotMatch(text, /Answer the question using a single word or phrase/);
  });
});

test('an existing non-empty --out is kept unless forced, and forced only when it is a prep output', async () => {
  await withTemp(async (dir) => {
    const out = join(dir, 'out');
    await mkdir(out);
    await writeFile(join(out, 'keep.txt'), 'mine');
    await assert.rejects(prepareSynth(out, SMALL), (e: Error & { code?: string }) => e.code === 'PREP.OUT_EXISTS');
    await assert.rejects(
      prepareSynth(out, SMALL, { force: true }),
      (e: Error & { code?: string }) => e.code === 'PREP.FORCE_REFUSED',
    );
    assert.equal(await readFile(join(out, 'keep.txt'), 'utf8'), 'mine');
    await rm(join(out, 'keep.txt'));
    await prepareSynth(out, SMALL);
    await prepareSynth(out, { ...SMALL, seed: 9 }, { force: true });
    assert.equal(((await verifyManifest(out)).params as { seed: number }).seed, 9);
    assert.deepEqual(await readdir(dir), ['out']);
  });
});
