import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { collect, readTestFile, readTrainFile, verifyManifest } from '@coin/data';
import sharp from 'sharp';
import { runCli } from '../testing/run-cli.js';

const FIXTURES = fileURLToPath(new URL('../../../../libs/data/src/readers/fixtures/', import.meta.url));

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coin-cli-prep-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every real dataset through the CLI into one --out: [command, raw fixture, task, test file, train count, test count]. */
const DATASETS: ReadonlyArray<[string, string, string, string, number, number]> = [
  ['ScienceQA', 'scienceqa', 'ScienceQA', 'test.json', 2, 2],
  ['TextVQA', 'textvqa', 'TextVQA', 'val.json', 2, 1],
  ['ImageNet', 'imagenet', 'ImageNet', 'test.json', 3, 2],
  ['GQA', 'gqa', 'GQA', 'test.json', 2, 2],
  ['VizWiz', 'vizwiz', 'VizWiz', 'val.json', 2, 1],
  ['Grounding', 'refer', 'Grounding', 'test.json', 3, 3],
  ['vqav2', 'vqav2', 'VQAv2', 'val.json', 2, 1],
  ['OCRVQA', 'ocrvqa', 'OCRVQA', 'test.json', 1, 3],
];

test('coin prep <Dataset> for all ten datasets builds one verified CoIN folder', async () => {
  const out = join(dir, 'all');
  for (const [command, fixture, task, testFile, trainCount, testCount] of DATASETS) {
    const r = await runCli(['prep', command, '--raw', join(FIXTURES, fixture), '--out', out]);
    assert.equal(r.code, 0, `${command}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const train = await collect(readTrainFile(join(out, 'Instructions_Original', task, 'train.json')));
    const tests = await collect(readTestFile(join(out, 'Instructions_Original', task, testFile), task as 'GQA'));
    assert.equal(train.length, trainCount, command);
    assert.equal(tests.length, testCount, command);
  }
  const manifest = await verifyManifest(out);
  assert.equal(Object.keys(manifest.counts).length, 16);
  for (const f of [
    'cl_dataset/ScienceQA/problems.json',
    'cl_dataset/ScienceQA/pid_splits.json',
    'cl_dataset/TextVQA/TextVQA_0.5.1_val.json',
    'cl_dataset/GQA/testdev_balanced_questions.json',
  ]) {
    assert.ok(
      manifest.files.some((m) => m.path === f),
      f,
    );
  }
  assert.deepEqual(await readdir(dir), ['all']);
});

test('missing images are listed in the report and warned about, not silently dropped', async () => {
  const out = join(dir, 'textvqa');
  const r = await runCli(['prep', 'TextVQA', '--raw', join(FIXTURES, 'textvqa'), '--out', out, '--no-progress']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /missing images: 1\n {2}TextVQA\/train 2: .*missing0000000000\.jpg/);
  assert.match(r.stderr, /warning: 2 record\(s\) dropped, 1 with missing images and 0 with corrupt images/);
  const report = JSON.parse(await readFile(join(out, 'reports/TextVQA/validation_report.json'), 'utf8')) as {
    missingImages: Array<{ id: number }>;
  };
  assert.deepEqual(
    report.missingImages.map((m) => m.id),
    [2],
  );
});

test('bad usage exits 2 and writes nothing', async () => {
  const out = join(dir, 'usage');
  const cases: string[][] = [
    ['prep', 'GQA', '--raw', join(FIXTURES, 'gqa'), '--out', out, '--fraction', '0'],
    ['prep', 'GQA', '--raw', join(FIXTURES, 'gqa'), '--out', out, '--variant', 'type2'],
    ['prep', 'GQA', '--raw', join(FIXTURES, 'gqa'), '--out', out, '--seed', '-1'],
    ['prep', 'GQA', '--out', out],
    ['prep', 'COCO', '--raw', 'x', '--out', out],
  ];
  for (const argv of cases) {
    const r = await runCli(argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
  }
  assert.deepEqual(
    (await readdir(dir)).filter((n) => n.includes('usage')),
    [],
  );
});

test('malformed source JSON fails with file:line:column and leaves --out untouched', async () => {
  const raw = join(dir, 'gqa-bad');
  await cp(join(FIXTURES, 'gqa'), raw, { recursive: true });
  await writeFile(
    join(raw, 'train_balanced_questions.json'),
    '{"1": {"imageId": "2354786", "question": "q", "answer": "yes"},\n "2": {"imageId": "2354786", "question": "q" "answer": "no"}}',
  );
  const out = join(dir, 'gqa-out');
  const r = await runCli(['prep', 'GQA', '--raw', raw, '--out', out, '--no-progress']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /train_balanced_questions\.json:2:46: malformed JSON: expected ',' or '}'/);
  assert.ok(!(await readdir(dir)).some((n) => n.startsWith('gqa-out') || n.startsWith('.gqa-out')));
});

test('missing source files name what was expected (bad input: exit 2)', async () => {
  const r = await runCli(['prep', 'RefCOCO', '--raw', join(FIXTURES, 'gqa'), '--out', join(dir, 'ref')]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /RefCOCO refs: refs\(unc\)\.p or refcoco\/refs\(unc\)\.p/);
  assert.match(r.stderr, /COCO train2014 images \(or pass --images\)/);
});

test('a missing --raw folder is bad input (exit 2) naming the folder', async () => {
  const raw = join(dir, 'no-such-raw');
  const r = await runCli(['prep', 'GQA', '--raw', raw, '--out', join(dir, 'no-raw-out'), '--no-progress']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`--raw ${raw.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a directory`));
});

test('corrupt images are decoded, reported by path and not written as fine records', async () => {
  const raw = join(dir, 'gqa-corrupt');
  await cp(join(FIXTURES, 'gqa'), raw, { recursive: true });
  // A real JPEG cut in half (premature end) and a file that is no image at all.
  const pixels = Buffer.alloc(32 * 32 * 3, 90);
  const jpeg = await sharp(pixels, { raw: { width: 32, height: 32, channels: 3 } })
    .jpeg()
    .toBuffer();
  const truncated = join(raw, 'images', '2354786.jpg');
  const garbage = join(raw, 'images', 'n288870.jpg');
  await writeFile(truncated, jpeg.subarray(0, jpeg.length >> 1));
  await writeFile(garbage, 'this is not an image\n');
  const out = join(dir, 'gqa-corrupt-out');
  const r = await runCli(['prep', 'GQA', '--raw', raw, '--out', out, '--no-progress']);
  assert.equal(r.code, 0, r.stderr);
  // Reported per record, as missing images are: one train record on the truncated file, two test
  // records on the garbage one.
  assert.match(r.stdout, /corrupt images: 3\n/);
  assert.ok(r.stdout.includes(truncated), r.stdout);
  assert.ok(r.stdout.includes(garbage), r.stdout);
  assert.match(r.stderr, /with corrupt images/);
  const report = JSON.parse(await readFile(join(out, 'reports/GQA/validation_report.json'), 'utf8')) as {
    corruptImages: Array<{ path: string; reason: string }>;
    counts: Record<string, number>;
  };
  assert.deepEqual([...new Set(report.corruptImages.map((c) => c.path))].sort(), [truncated, garbage].sort());
  // Only the records on the one intact image (2375429) were written.
  const train = await collect(readTrainFile(join(out, 'Instructions_Original/GQA/train.json')));
  const tests = await collect(readTestFile(join(out, 'Instructions_Original/GQA/test.json'), 'GQA'));
  for (const record of [...train, ...tests]) assert.match(String(record.image), /2375429/);
  assert.equal(report.counts['GQA/train'] + report.counts['GQA/test'], train.length + tests.length);
});
