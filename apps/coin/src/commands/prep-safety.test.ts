import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { verifyManifest } from '@coin/data';
import { runCli } from '../testing/run-cli.js';
import { runCliChild, spawnCli } from '../testing/spawn-cli.js';

/** `coin prep` loses nothing that is not its own and leaves nothing behind. */
const FIXTURES = fileURLToPath(new URL('../../../../libs/data/src/readers/fixtures/', import.meta.url));
const TINY_SYNTH = ['--train', '2', '--test', '1', '--pretrain', '0', '--image-size', '32'];

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coin-cli-prep-safety-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The hidden temp folders a run into `out` makes beside it. */
async function tempsBeside(out: string): Promise<string[]> {
  return (await readdir(dirname(out))).filter((n) => n.startsWith(`.${basename(out)}.tmp-`));
}

test('prep synth --force refuses a folder that is not a prep output, and one holding unlisted files', async () => {
  const out = join(dir, 'force', 'notes');
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'thesis.txt'), 'precious\n');
  const r = await runCli(['prep', 'synth', '--out', out, '--force', ...TINY_SYNTH]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--force replaces only a `coin prep` output/);
  assert.equal(await readFile(join(out, 'thesis.txt'), 'utf8'), 'precious\n');

  // A real output with a file of the user's added to it: refused too, naming the file.
  const world = join(dir, 'force', 'world');
  assert.equal((await runCli(['prep', 'synth', '--out', world, ...TINY_SYNTH])).code, 0);
  await writeFile(join(world, 'cl_dataset', 'my-notes.txt'), 'mine\n');
  const mixed = await runCli(['prep', 'synth', '--out', world, '--force', ...TINY_SYNTH]);
  assert.equal(mixed.code, 2, mixed.stderr);
  assert.match(mixed.stderr, /cl_dataset\/my-notes\.txt/);
  assert.equal(await readFile(join(world, 'cl_dataset', 'my-notes.txt'), 'utf8'), 'mine\n');

  // Without the stranger, --force replaces the earlier output.
  await rm(join(world, 'cl_dataset', 'my-notes.txt'));
  const again = await runCli(['prep', 'synth', '--out', world, '--force', ...TINY_SYNTH, '--seed', '7']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(((await verifyManifest(world)).params as { seed: number }).seed, 7);
  assert.deepEqual(await tempsBeside(world), []);
});

/** Resolves once a `.out.tmp-*` folder exists beside `out` (polls: fs.watch misses fast renames). */
async function waitForTemp(out: string, exited: () => boolean): Promise<void> {
  while (!exited()) {
    if ((await tempsBeside(out)).length > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('coin exited before its temp folder appeared');
}

for (const [signal, status] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  test(`prep synth interrupted by ${signal}: temp folder removed, earlier output untouched`, async () => {
    const out = join(dir, `interrupt-${signal}`, 'world');
    assert.equal((await runCli(['prep', 'synth', '--out', out, ...TINY_SYNTH])).code, 0);
    const before = await readFile(join(out, 'manifest.json'), 'utf8');
    // Big enough to run for many seconds; it is interrupted as soon as its temp folder exists.
    const run = spawnCli(['prep', 'synth', '--out', out, '--force', '--train', '5000', '--pretrain', '0']);
    let exited = false;
    void run.done.then(() => (exited = true));
    await waitForTemp(out, () => exited);
    run.child.kill(signal);
    const r = await run.done;
    assert.equal(r.killed, false);
    assert.equal(r.code, status, `code ${r.code}, signal ${r.signal}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`interrupted \\(${signal}\\): prep synth stopped`));
    assert.match(r.stderr, /temporary files were removed/);
    assert.match(r.stderr, new RegExp(`${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is untouched`));
    assert.deepEqual(await tempsBeside(out), []);
    assert.equal(await readFile(join(out, 'manifest.json'), 'utf8'), before);
    await verifyManifest(out);
  });
}

/** A GQA raw folder with `n` questions on `n` distinct images: slow enough to interrupt. */
async function bigGqa(raw: string, n: number): Promise<void> {
  await mkdir(join(raw, 'images'), { recursive: true });
  const png = await readFile(join(FIXTURES, 'gqa', 'images', '2354786.jpg')); // a tiny PNG, as GQA names it
  const questions: Record<string, { imageId: string; question: string; answer: string }> = {};
  for (let i = 0; i < n; i++) {
    questions[String(i)] = { imageId: `img${i}`, question: `Is thing ${i} red?`, answer: 'yes' };
    await writeFile(join(raw, 'images', `img${i}.jpg`), png);
  }
  await writeFile(join(raw, 'train_balanced_questions.json'), JSON.stringify(questions));
  await writeFile(join(raw, 'testdev_balanced_questions.json'), JSON.stringify({ t0: questions['0'] }));
}

test('prep GQA interrupted by SIGINT: temp folder removed, earlier output untouched', async () => {
  const out = join(dir, 'interrupt-gqa', 'out');
  const fixture = ['prep', 'GQA', '--raw', join(FIXTURES, 'gqa'), '--out', out, '--no-progress'];
  assert.equal((await runCli(fixture)).code, 0);
  const before = await readFile(join(out, 'manifest.json'), 'utf8');
  const raw = join(dir, 'interrupt-gqa', 'raw');
  await bigGqa(raw, 4000);
  const run = spawnCli(['prep', 'GQA', '--raw', raw, '--out', out, '--no-progress']);
  let exited = false;
  void run.done.then(() => (exited = true));
  await waitForTemp(out, () => exited);
  run.child.kill('SIGINT');
  const r = await run.done;
  assert.equal(r.code, 130, `code ${r.code}, signal ${r.signal}: ${r.stderr}`);
  assert.match(r.stderr, /interrupted \(SIGINT\): prep GQA stopped; its temporary files were removed/);
  assert.deepEqual(await tempsBeside(out), []);
  assert.equal(await readFile(join(out, 'manifest.json'), 'utf8'), before);
  await verifyManifest(out);
});

/** A pid that is surely not running: a child that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawnCli(['--version']);
  await child.done;
  return child.child.pid!;
}

test('stale temp folders of dead runs are removed on the next start; a live run keeps its own', async () => {
  const dead = await deadPid();
  const cases: ReadonlyArray<[string, (out: string) => string[]]> = [
    ['synth', (out) => ['prep', 'synth', '--out', out, ...TINY_SYNTH]],
    ['GQA', (out) => ['prep', 'GQA', '--raw', join(FIXTURES, 'gqa'), '--out', out, '--no-progress']],
  ];
  for (const [name, argv] of cases) {
    const out = join(dir, `stale-${name}`, 'out');
    const stale = join(dirname(out), `.out.tmp-${dead}-0badf00d`);
    const live = join(dirname(out), `.out.tmp-${process.pid}-00c0ffee`);
    for (const d of [stale, live]) {
      await mkdir(join(d, 'images'), { recursive: true });
      await writeFile(join(d, 'images', 'a.png'), 'half-written');
    }
    const r = await runCliChild(argv(out));
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    assert.deepEqual(await tempsBeside(out), [basename(live)], name);
    await verifyManifest(out);
  }
});
