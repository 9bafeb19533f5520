import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_SYNTH_OPTIONS, prepareSynth } from '@coin/data';
import { runCli } from '../testing/run-cli.js';

test('coin pretrain: bad flags and missing data exit 2 and write nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'coin-cli-pretrain-'));
  try {
    const store = join(dir, 'store');
    const env = { COIN_STORE: store };
    const empty = join(dir, 'empty');
    await mkdir(empty);
    const cases: Array<[string[], RegExp]> = [
      [['--preset', 'huge', '--data', empty], /unknown preset "huge"[\s\S]*micro, tiny, small/],
      [['--preset', 'micro', '--seed', 'x', '--data', empty], /--seed must be an integer/],
      [['--preset', 'micro', '--steps', '0', '--data', empty], /--steps must be an integer from 1/],
      [['--preset', 'micro', '--data', join(dir, 'nowhere')], /no manifest\.json: not a prepared world/],
      [['--preset', 'micro', '--data', empty], /no manifest\.json/],
      [['--data', empty], /--preset/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['pretrain', ...args, '--out', join(dir, 'out')], env);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.deepEqual((await readdir(dir)).sort(), ['empty']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('coin pretrain trains micro into the store, copies it to --out, and finds it the second time', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'coin-cli-pretrain-'));
  try {
    const data = join(dir, 'world');
    await prepareSynth(data, { ...DEFAULT_SYNTH_OPTIONS, train: 2, test: 1, pretrain: 3, imageSize: 32 });
    const env = { COIN_STORE: join(dir, 'store') };
    const args = [
      'pretrain',
      '--preset',
      'micro',
      '--data',
      data,
      '--steps',
      '3',
      '--vision-steps',
      '4',
      '--seed',
      '1',
    ];
    const first = await runCli([...args, '--out', join(dir, 'base'), '--progress'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^wrote .*models\/[0-9a-f]{64} \(copied to .*base\)\n/);
    assert.match(first.stdout, /held-out caption loss \d+\.\d+ → \d+\.\d+ in/);
    assert.match(first.stderr, /pretrain micro \[#+\] 3\/3 loss \d+\.\d+ in/);
    // The vision warm-up runs first with a bar of its own, and its result is reported.
    assert.match(first.stderr, /pretrain micro vision warm-up \[#+\] 4\/4 loss \d+\.\d+ in/);
    assert.ok(first.stderr.indexOf('vision warm-up') < first.stderr.indexOf('pretrain micro ['));
    assert.match(
      first.stdout,
      /vision warm-up 4 steps × 16: held-out patches named right, class \d+% → \d+%, colour \d+% → \d+%/,
    );
    assert.deepEqual((await readdir(join(dir, 'base'))).sort(), [
      'coin_config.json',
      'manifest.json',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    const second = await runCli(args, env);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^found /);
    assert.equal(second.stderr, '', 'no progress without a terminal or --progress');
    const taken = await runCli([...args, '--out', join(dir, 'base')], env);
    assert.equal(taken.code, 2, taken.stderr);
    assert.match(taken.stderr, /base exists and is not empty/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
