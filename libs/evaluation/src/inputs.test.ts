import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { CoinError } from '@coin/core';
import { ImageTensorCache, SYNTH_LAYOUT, writeTestFile } from '@coin/data';
import sharp from 'sharp';
import { EvalImages } from './eval-images.js';
import { readTestItems, testFilePath } from './test-items.js';

const isCode = (code: string) => (e: unknown) => e instanceof CoinError && e.code === code;
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coin-eval-inputs-'));
});
after(() => rm(dir, { recursive: true, force: true }));

test('test items: file order, the first N with a limit; a missing file or a bad limit is a clear error', async () => {
  const records = [3, 1, 2].map((i) => ({ question_id: `q${i}`, image: `x/${i}.png`, text: `Q${i}?`, answer: 'a' }));
  await writeTestFile(testFilePath(dir, 'original', 'VizWiz'), records, 'VizWiz');
  assert.deepEqual(
    (await readTestItems(dir, 'original', 'VizWiz')).map((r) => r.question_id),
    ['q3', 'q1', 'q2'],
  );
  assert.deepEqual(
    (await readTestItems(dir, 'original', 'VizWiz', 2)).map((r) => r.question_id),
    ['q3', 'q1'],
  );
  await assert.rejects(readTestItems(dir, 'diverse', 'VizWiz'), isCode('EVAL.DATA_NOT_FOUND'));
  await assert.rejects(readTestItems(dir, 'original', 'VizWiz', 0), isCode('EVAL.BAD_OPTIONS'));
});

test("images: preprocessed in the task's mode at the model's size; a missing one is an error, and is tried again", async () => {
  const path = join(dir, SYNTH_LAYOUT.images, 'img/wide.png');
  const images = new EvalImages(dir, 8, 'pad');
  await assert.rejects(images.pixels('img/wide.png'), isCode('EVAL.IMAGE_NOT_FOUND'));
  // 16 × 8, left half black, right half white.
  const raw = Buffer.alloc(16 * 8 * 3);
  for (let i = 0; i < 16 * 8; i++) if (i % 16 >= 8) raw.fill(255, i * 3, i * 3 + 3);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(
    path,
    await sharp(raw, { raw: { width: 16, height: 8, channels: 3 } })
      .png()
      .toBuffer(),
  );
  const padded = await images.pixels('img/wide.png');
  const cropped = await new EvalImages(dir, 8, 'crop').pixels('img/wide.png');
  assert.equal(padded.length, 3 * 8 * 8);
  // Padding puts the mean colour above and below; the centre crop keeps black and white only.
  assert.notEqual(padded[0], padded[4 * 8]);
  assert.equal(cropped[0], cropped[4 * 8]);
  assert.equal(await images.pixels('img/wide.png'), padded, 'decoded once');
  // Through an on-disk cache: the same pixels, and a later evaluation reads them back.
  const cache = new ImageTensorCache(join(dir, 'cache'));
  assert.deepEqual(await new EvalImages(dir, 8, 'pad', cache).pixels('img/wide.png'), padded);
  assert.deepEqual(await cache.get(await readFile(path), { size: 8, mode: 'pad' }), padded);
  assert.deepEqual(await new EvalImages(dir, 8, 'pad', cache).pixels('img/wide.png'), padded);
});
