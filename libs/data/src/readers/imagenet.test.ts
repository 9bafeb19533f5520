import assert from 'node:assert/strict';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CoinError } from '@coin/core';
import { coinClassAnswer, openImageNet, parseSynsetMapping, pythonCapitalize } from './imagenet.js';
import { readSplit, withFixtureCopy } from './testing.js';

test("CoIN's class answer is the first synonym, Python-capitalised", () => {
  assert.equal(coinClassAnswer('Dandie Dinmont, Dandie Dinmont terrier'), 'Dandie dinmont');
  assert.equal(coinClassAnswer('head cabbage'), 'Head cabbage');
  assert.equal(coinClassAnswer('CD player'), 'Cd player');
  assert.equal(pythonCapitalize(''), '');
  assert.deepEqual([...parseSynsetMapping('n01440764 tench, Tinca tinca\r\n\nn07714990 head cabbage\n', 'm.txt')], [
    ['n01440764', 'Tench'],
    ['n07714990', 'Head cabbage'],
  ]);
});

test('ImageNet: validation already sorted into class folders, with synset_words.txt', async () => {
  await withFixtureCopy('imagenet', async (dir) => {
    const cls = join(dir, 'ILSVRC/Data/CLS-LOC');
    await rm(join(dir, 'LOC_val_solution.csv'));
    await rename(join(dir, 'LOC_synset_mapping.txt'), join(dir, 'synset_words.txt'));
    await mkdir(join(cls, 'val/n07714990'));
    await rename(join(cls, 'val/ILSVRC2012_val_00019095.JPEG'), join(cls, 'val/n07714990/ILSVRC2012_val_00019095.JPEG'));
    const { items } = await readSplit(await openImageNet(dir), 'test');
    assert.deepEqual(items.map((i) => [i.id, i.image, i.answer]), [['ILSVRC2012_val_00019095.JPEG', 'ImageNet_withlabel/val/n07714990/ILSVRC2012_val_00019095.JPEG', 'Head cabbage']]);
  });
});

test('ImageNet: without validation labels, the devkit layout is refused with a hint', async () => {
  await withFixtureCopy('imagenet', async (dir) => {
    await rm(join(dir, 'LOC_val_solution.csv'));
    await writeFile(join(dir, 'ILSVRC2012_validation_ground_truth.txt'), '490\n361\n');
    await assert.rejects(openImageNet(dir), (e: unknown) => e instanceof CoinError && e.kind === 'NOT_FOUND' && /LOC_val_solution\.csv/.test(e.message) && /meta\.mat/.test(e.hint ?? ''));
  });
});
