import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CoinError, sha256Hex } from '@coin/core';
import { MANIFEST_FILE, verifyManifest, writeManifest } from './manifest.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'coin-manifest-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function makeTree(name: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(join(dir, 'Instructions_Original', 'GQA'), { recursive: true });
  await writeFile(join(dir, 'Instructions_Original', 'GQA', 'train.json'), '[]\n');
  await writeFile(join(dir, 'b.txt'), 'hello');
  await writeFile(join(dir, '.half-written.tmp'), 'ignored');
  return dir;
}

test('writeManifest lists every file sorted with size and sha256, skipping dot files', async () => {
  const dir = await makeTree('list');
  const m = await writeManifest(dir, { kind: 'synth', params: { seed: 1 }, counts: { 'GQA/train': 0, 'A/test': 3 } });
  assert.deepEqual(
    m.files.map((f) => f.path),
    ['Instructions_Original/GQA/train.json', 'b.txt'],
  );
  assert.deepEqual(m.files[1], { path: 'b.txt', size: 5, sha256: sha256Hex('hello') });
  assert.deepEqual(Object.keys(m.counts), ['A/test', 'GQA/train']);
  const onDisk = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as unknown;
  assert.deepEqual(onDisk, JSON.parse(JSON.stringify(m)));
  await verifyManifest(dir);
});

test('two manifests of the same tree are byte-identical', async () => {
  const a = await makeTree('same-a');
  const b = await makeTree('same-b');
  await writeManifest(a, { kind: 'k', params: {}, counts: {} });
  await writeManifest(b, { kind: 'k', params: {}, counts: {} });
  assert.equal(await readFile(join(a, MANIFEST_FILE), 'utf8'), await readFile(join(b, MANIFEST_FILE), 'utf8'));
});

test('symlinks are recorded, not followed', async () => {
  const dir = await makeTree('links');
  await symlink(join(root, 'links', 'Instructions_Original'), join(dir, 'images'));
  const m = await writeManifest(dir, { kind: 'k', params: {}, counts: {} });
  assert.deepEqual(m.links, [{ path: 'images', target: join(root, 'links', 'Instructions_Original') }]);
  assert.equal(m.files.length, 2);
  await verifyManifest(dir);
});

const TAMPERING: ReadonlyArray<{ name: string; tamper: (dir: string) => Promise<void>; problem: string }> = [
  { name: 'changed content', tamper: (d) => writeFile(join(d, 'b.txt'), 'jello'), problem: 'sha256' },
  { name: 'truncated', tamper: (d) => writeFile(join(d, 'b.txt'), 'hel'), problem: 'size' },
  { name: 'missing', tamper: (d) => rm(join(d, 'b.txt')), problem: 'missing' },
  { name: 'unlisted', tamper: (d) => writeFile(join(d, 'new.json'), '{}'), problem: 'unlisted' },
];

for (const { name, tamper, problem } of TAMPERING) {
  test(`verifyManifest reports ${name} files as DATA_LOSS`, async () => {
    const dir = await makeTree(`tamper-${problem}`);
    await writeManifest(dir, { kind: 'k', params: {}, counts: {} });
    await tamper(dir);
    await assert.rejects(verifyManifest(dir), (e: unknown) => {
      assert.ok(e instanceof CoinError);
      assert.equal(e.kind, 'DATA_LOSS');
      assert.equal(e.code, 'MANIFEST.MISMATCH');
      const problems = e.details.problems as Array<{ problem: string }>;
      assert.deepEqual(
        problems.map((p) => p.problem),
        [problem],
      );
      return true;
    });
  });
}

test('verifyManifest without a manifest is NOT_FOUND', async () => {
  const dir = await makeTree('none');
  await assert.rejects(verifyManifest(dir), (e: unknown) => e instanceof CoinError && e.kind === 'NOT_FOUND');
});
