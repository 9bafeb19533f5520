import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CoinError } from '@coin/core';
import { collect, readTestFile, readTrainFile } from '../formats/coin-files.js';
import { openScienceQA } from '../readers/scienceqa.js';
import type { OpenedSource, SourceItem } from '../readers/source.js';
import { FIXTURES } from '../readers/testing.js';
import { verifyManifest } from './manifest.js';
import { prepareDataset } from './prepare.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'coin-prepare-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const RAW = join(FIXTURES, 'scienceqa');

test('ScienceQA fixture → CoIN files, annotations, image links, report and a verifiable manifest', async () => {
  const out = join(root, 'sqa');
  const result = await prepareDataset(await openScienceQA(RAW), { out, variant: 'original', fraction: 1, seed: 0 });
  const train = await collect(readTrainFile(join(out, 'Instructions_Original/ScienceQA/train.json')));
  assert.deepEqual(train[0], {
    id: '1',
    image: 'ScienceQA/train/1/image.png',
    conversations: [
      {
        from: 'human',
        value:
          "<image>\nWhich of these states is farthest north?\nA. West Virginia\nB. Louisiana\nC. Arizona\nD. Oklahoma\nAnswer with the option's letter from the given choices directly.",
      },
      { from: 'gpt', value: 'A' },
    ],
  });
  assert.equal(train[1].image, undefined);
  assert.ok(!train[1].conversations[0].value.includes('<image>'));
  const testRecords = await collect(readTestFile(join(out, 'Instructions_Original/ScienceQA/test.json'), 'ScienceQA'));
  assert.deepEqual(testRecords[0], {
    question_id: '4',
    image: 'ScienceQA/test/4/image.png',
    text: "Context: Look at the picture.\nWhich animal is a mammal?\nA. frog\nB. dog\nAnswer with the option's letter from the given choices directly.",
    answer: 'B',
  });
  // train: 1, 2 kept; 6 has no image file; 3 and 99 dropped.
  assert.deepEqual(result.counts, { 'ScienceQA/test': 2, 'ScienceQA/train': 2 });
  assert.deepEqual(
    result.report.missingImages.map((m) => m.id),
    ['6'],
  );
  assert.equal(result.report.dropped.length, 2);
  assert.match(result.summary, /missing images: 1/);
  assert.equal(
    await readFile(join(out, 'cl_dataset/ScienceQA/problems.json'), 'utf8'),
    await readFile(join(RAW, 'problems.json'), 'utf8'),
  );
  assert.equal(await readlink(join(out, 'cl_dataset/ScienceQA/test')), join(RAW, 'images/test'));
  const manifest = await verifyManifest(out);
  assert.equal(manifest.kind, 'coin-prep');
  assert.ok(manifest.files.some((f) => f.path === 'reports/ScienceQA/validation_report.json'));
  assert.deepEqual(
    (await readdir(root)).filter((n) => n.startsWith('.')),
    [],
  );
});

test('two runs with the same options give byte-identical files', async () => {
  const a = join(root, 'same-a');
  const b = join(root, 'same-b');
  for (const out of [a, b])
    await prepareDataset(await openScienceQA(RAW), { out, variant: '10type', fraction: 0.5, seed: 3 });
  for (const rel of ['Instructions_10Type/ScienceQA/train.json', 'Instructions_10Type/ScienceQA/test.json']) {
    assert.equal(await readFile(join(a, rel), 'utf8'), await readFile(join(b, rel), 'utf8'));
  }
  const train = await collect(readTrainFile(join(a, 'Instructions_10Type/ScienceQA/train.json')));
  // round(0.5 × 3 ids) = 2 selected; one of them may then lack its image (pid 6).
  assert.ok(train.length >= 1 && train.length <= 2, String(train.length));
});

/** A source that fails half-way, like a truncated GQA file. */
function failingSource(afterItems: number): OpenedSource {
  return {
    dataset: 'GQA',
    task: 'GQA',
    copies: [],
    links: [],
    notes: [],
    async *items(): AsyncGenerator<SourceItem> {
      for (let i = 0; i < afterItems; i++) yield { id: String(i), question: 'q', answer: 'a' };
      throw new CoinError('JSON.MALFORMED', 'INVALID_ARGUMENT', 'x.json:9:1: malformed JSON: truncated');
    },
  };
}

test('a failure half-way leaves nothing in --out and no temp directory', async () => {
  const out = join(root, 'fail');
  await assert.rejects(
    prepareDataset(failingSource(3), { out, variant: 'original', fraction: 1, seed: 0 }),
    /truncated/,
  );
  assert.deepEqual(
    (await readdir(root)).filter((n) => n.startsWith('.') || n === 'fail'),
    [],
  );
});

test('adding a second dataset to an existing output replaces only its task and keeps a valid manifest', async () => {
  const out = join(root, 'merge');
  await prepareDataset(await openScienceQA(RAW), { out, variant: 'original', fraction: 1, seed: 0 });
  const fake: OpenedSource = {
    ...failingSource(0),
    async *items() {
      yield { id: 'g1', question: 'Is it?', answer: 'yes' };
    },
  };
  const result = await prepareDataset(fake, { out, variant: 'original', fraction: 1, seed: 0 });
  assert.deepEqual(result.manifest.counts, {
    'GQA/test': 1,
    'GQA/train': 1,
    'ScienceQA/test': 2,
    'ScienceQA/train': 2,
  });
  await verifyManifest(out);
  // A failing run on an existing output leaves it as it was.
  await assert.rejects(prepareDataset(failingSource(1), { out, variant: 'original', fraction: 1, seed: 0 }));
  await verifyManifest(out);
});

test('a non-empty --out that is not a coin prep output is refused', async () => {
  const out = join(root, 'other');
  await mkdir(out);
  await writeFile(join(out, 'notes.txt'), 'mine');
  await assert.rejects(
    prepareDataset(await openScienceQA(RAW), { out, variant: 'original', fraction: 1, seed: 0 }),
    (e: unknown) => e instanceof CoinError && e.code === 'PREP.OUT_NOT_EMPTY' && e.kind === 'INVALID_ARGUMENT',
  );
});

test('checkCoinFolder passes a prep output and names the bad record of a broken one', async () => {
  const { checkCoinFolder } = await import('../formats/check-folder.js');
  const out = join(root, 'check');
  await prepareDataset(await openScienceQA(RAW), { out, variant: 'diverse', fraction: 1, seed: 0 });
  const checked = await checkCoinFolder(out);
  assert.deepEqual(
    checked.map((c) => [c.kind, c.records]),
    [
      ['train', 2],
      ['test', 2],
    ],
  );
  const testPath = join(out, 'Instructions_Diverse/ScienceQA/test.json');
  await writeFile(testPath, JSON.stringify([{ question_id: '4', text: 'q' }, { question_id: '5' }]));
  await assert.rejects(
    checkCoinFolder(out),
    (e: unknown) => e instanceof CoinError && e.details.index === 1 && e.details.field === 'text',
  );
  await rm(testPath);
  await assert.rejects(checkCoinFolder(out), (e: unknown) => e instanceof CoinError && e.code === 'CHECK.FILE_MISSING');
});

test('an abort half-way stops the run: the reason is thrown, no temp directory, the earlier output as it was', async () => {
  const out = join(root, 'abort');
  await prepareDataset(await openScienceQA(RAW), { out, variant: 'original', fraction: 1, seed: 0 });
  const before = await readFile(join(out, 'manifest.json'), 'utf8');
  const controller = new AbortController();
  const reason = new CoinError('CLI.INTERRUPTED', 'CANCELLED', 'stopped');
  const endless: OpenedSource = {
    ...failingSource(0),
    async *items() {
      for (let i = 0; ; i++) {
        if (i === 5) controller.abort(reason); // as a signal handler would, between two records
        yield { id: `g${i}`, question: 'q', answer: 'a' };
      }
    },
  };
  await assert.rejects(
    prepareDataset(endless, { out, variant: 'original', fraction: 1, seed: 0, signal: controller.signal }),
    (e: unknown) => e === reason,
  );
  assert.equal(await readFile(join(out, 'manifest.json'), 'utf8'), before);
  await verifyManifest(out);
  assert.deepEqual(
    (await readdir(root)).filter((n) => n.startsWith('.abort')),
    [],
  );
});
