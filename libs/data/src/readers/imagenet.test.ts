import assert from 'node:assert/strict';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CoinError } from '@coin/core';
import { coinClassAnswer, openImageNet, parseSynsetMapping, pythonCapitalize } from './imagenet.js';
import { FIXTURES, readSplit, withFixtureCopy } from './testing.js';

test("CoIN's class answer is the first synonym, Python-capitalised", () => {
  assert.equal(coinClassAnswer('Dandie Dinmont, Dandie Dinmont terrier'), 'Dandie dinmont');
  assert.equal(coinClassAnswer('head cabbage'), 'Head cabbage');
  assert.equal(coinClassAnswer('CD player'), 'Cd player');
  assert.equal(pythonCapitalize(''), '');
  assert.deepEqual(
    [...parseSynsetMapping('n01440764 tench, Tinca tinca\r\n\nn07714990 head cabbage\n', 'm.txt')],
    [
      ['n01440764', 'Tench'],
      ['n07714990', 'Head cabbage'],
    ],
  );
});

test('ImageNet: validation already sorted into class folders, with synset_words.txt', async () => {
  await withFixtureCopy('imagenet', async (dir) => {
    const cls = join(dir, 'ILSVRC/Data/CLS-LOC');
    await rm(join(dir, 'LOC_val_solution.csv'));
    await rename(join(dir, 'LOC_synset_mapping.txt'), join(dir, 'synset_words.txt'));
    await mkdir(join(cls, 'val/n07714990'));
    await rename(
      join(cls, 'val/ILSVRC2012_val_00019095.JPEG'),
      join(cls, 'val/n07714990/ILSVRC2012_val_00019095.JPEG'),
    );
    const { items } = await readSplit(await openImageNet(dir), 'test');
    assert.deepEqual(
      items.map((i) => [i.id, i.image, i.answer]),
      [
        [
          'ILSVRC2012_val_00019095.JPEG',
          'ImageNet_withlabel/val/n07714990/ILSVRC2012_val_00019095.JPEG',
          'Head cabbage',
        ],
      ],
    );
  });
});

test('ImageNet: the ILSVRC2012 devkit layout (ground truth + meta.mat, no LOC files)', async () => {
  const source = await openImageNet(join(FIXTURES, 'imagenet-devkit'));
  const { items } = await readSplit(source, 'test');
  assert.deepEqual(
    items.map((i) => [i.id, i.image, i.answer]),
    [
      ['ILSVRC2012_val_00000001.JPEG', 'ImageNet_withlabel/val/ILSVRC2012_val_00000001.JPEG', 'Head cabbage'],
      ['ILSVRC2012_val_00000002.JPEG', 'ImageNet_withlabel/val/ILSVRC2012_val_00000002.JPEG', 'Dandie dinmont'],
      ['ILSVRC2012_val_00000003.JPEG', 'ImageNet_withlabel/val/ILSVRC2012_val_00000003.JPEG', 'Tench'],
    ],
  );
  const train = await readSplit(source, 'train');
  assert.deepEqual(
    train.items.map((i) => i.answer),
    ['Tench', 'Head cabbage'],
  );
});

test('ImageNet: devkit ground truth without meta.mat is refused with a hint', async () => {
  await withFixtureCopy('imagenet-devkit', async (dir) => {
    await rm(join(dir, 'ILSVRC2012_devkit_t12/data/meta.mat'));
    await writeFile(join(dir, 'LOC_synset_mapping.txt'), 'n01440764 tench, Tinca tinca\n');
    await assert.rejects(
      openImageNet(dir),
      (e: unknown) =>
        e instanceof CoinError &&
        e.kind === 'NOT_FOUND' &&
        /LOC_val_solution\.csv/.test(e.message) &&
        /meta\.mat/.test(e.hint ?? ''),
    );
  });
});
