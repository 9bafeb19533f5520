import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyManifest } from '@coin/data';
import { runCli } from '../testing/run-cli.js';

test('coin prep synth writes a complete, verified world into --out', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'coin-cli-synth-'));
  try {
    const out = join(dir, 'world');
    const r = await runCli([
      'prep',
      'synth',
      '--out',
      out,
      '--train',
      '8',
      '--test',
      '3',
      '--seed',
      '5',
      '--pretrain',
      '1',
      '--image-size',
      '48',
      '--variant',
      '10type',
      '--fraction',
      '0.5',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /GQA\/train: 4 \(8\)/);
    assert.match(r.stdout, /wrote .*world: \d+ files/);
    assert.match(r.stderr, /synth OCRVQA: 7 done/);
    const manifest = await verifyManifest(out);
    assert.equal(manifest.counts['Grounding/test'], 3);
    const grounding = JSON.parse(
      await readFile(join(out, 'Instructions_10Type/Grounding/test.json'), 'utf8'),
    ) as Array<{ answer_bbox: string; size: number[] }>;
    assert.equal(grounding.length, 3);
    for (const g of grounding) assert.match(g.answer_bbox, /^\[\d\.\d\d, \d\.\d\d, \d\.\d\d, \d\.\d\d\]$/);
    assert.deepEqual(await readdir(dir), ['world']);
    // A second run into the same --out is refused (bad input, exit 2; folder untouched) unless --force.
    const again = await runCli(['prep', 'synth', '--out', out, '--train', '8', '--test', '3']);
    assert.equal(again.code, 2, again.stderr);
    assert.match(again.stderr, /exists and is not empty[\s\S]*--force/);
    await verifyManifest(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('coin prep synth: bad flags exit 2 and say what is allowed', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--train', '0'], /--train must be an integer from 1 to 100000/],
    [['--test', 'ten'], /--test must be an integer/],
    [['--seed', '-1'], /--seed must be an integer from 0 to 4294967295/],
    [['--variant', 'fancy'], /--variant must be one of original, diverse, 10type/],
    [['--fraction', '1.5'], /--fraction must be a number in \(0, 1\]/],
    [['--fraction', '0'], /--fraction must be a number in \(0, 1\]/],
    [['--image-size', '8'], /--image-size must be an integer from 32 to 1024/],
  ];
  for (const [flags, message] of cases) {
    const r = await runCli(['prep', 'synth', '--out', join(tmpdir(), 'coin-never-written'), ...flags]);
    assert.equal(r.code, 2, flags.join(' '));
    assert.match(r.stderr, message);
  }
  const missing = await runCli(['prep', 'synth']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--out/);
});
