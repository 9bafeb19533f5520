import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../testing/run-cli.js';

/** The small world of run.test.ts, two tasks: a micro run of a few seconds. */
const SMALL = ['--world-train', '24', '--world-test', '8', '--world-pretrain', '16', '--pretrain-steps', '40'];

describe('coin sweep', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coin-sweep-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));
  const grid = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  const env = () => ({ COIN_STORE: join(dir, 'store'), COIN_THREADS: '1' });

  it('a bad grid, a missing one, or an axis given twice exits 2 before any call or work', async () => {
    const cases: [string[], RegExp][] = [
      [['--grid', await grid('typo.yaml', 'methods: [lora]\nseed: [1]\n')], /typo\.yaml:2: unknown key "seed"/],
      [['--grid', await grid('empty.yaml', 'seeds: []\n')], /empty\.yaml:1: seeds is empty/],
      [
        ['--grid', await grid('bad.yaml', 'fractions: [0.5, 2]\n')],
        /bad\.yaml:1: fractions: 2 is not a number in \(0, 1\]/,
      ],
      [['--grid', join(dir, 'none.yaml')], /cannot read the grid file/],
      [[], /needs --grid FILE/],
      [['--grid', await grid('seeds.yaml', 'seeds: [0, 1]\n'), '--seed', '4'], /--seed and the grid's seeds/],
      [
        ['--grid', await grid('methods.yaml', 'methods: [lora]\n'), '--ewc-lambda', '3'],
        /--ewc-lambda: no method of the sweep/,
      ],
    ];
    for (const [args, message] of cases) {
      // No orchestrator at this address: a usage error must come first.
      const r = await runCli(['sweep', ...args, '--orchestrator', '127.0.0.1:9'], env());
      assert.equal(r.code, 2, `${args.join(' ')}\n${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });

  it('--local: 2 seeds × 1 method on 2 tasks, each unit once; coin sweep report has the intervals over seeds', async (t) => {
    const file = await grid('sweep.yaml', '# two seeds of lora\nmethods: [lora]\nseeds: [0, 1]\n');
    const out = join(dir, 'out');
    const started = performance.now();
    const args = ['sweep', '--grid', file, '--local', '--preset', 'micro', '--order', 'ImageNet,VQAv2', ...SMALL];
    const r = await runCli([...args, '--out', out], env());
    t.diagnostic(`local sweep of 2 micro runs: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(r.code, 0, r.stderr);
    const id = /sweep (sweep-lora-2r-[0-9a-f]{10}): run 1\/2/.exec(r.stderr)?.[1];
    assert.ok(id, r.stderr);
    const entries = (await readdir(out)).sort();
    assert.equal(entries.length, 3, entries.join());
    assert.ok(entries.includes(id));
    assert.deepEqual(
      entries.filter((e) => e !== id).map((e) => e.replace(/-[0-9a-f]{10}$/, '')),
      ['lora-micro-s0', 'lora-micro-s1'],
    );
    // The methods table: one row (lora over seeds 0,1) with mean ± half the 95% interval.
    const row = r.stdout.split('\n').find((l) => /^lora\s+0,1\s/.test(l));
    assert.ok(row && / ± /.test(row), r.stdout);
    const comparison = await readFile(join(out, id, 'comparison.csv'), 'utf8');
    assert.match(comparison.split('\n')[0], /ci95_low,ci95_high/);

    // The second time every unit is in the store: nothing is computed again.
    const again = await runCli([...args, '--out', join(dir, 'out2')], env());
    assert.equal(again.code, 0, again.stderr);
    const results = JSON.parse(
      await readFile(join(dir, 'out2', entries.find((e) => e.startsWith('lora-micro-s1'))!, 'results.json'), 'utf8'),
    ) as { units: { cached: boolean }[] };
    assert.ok(
      results.units.every((u) => u.cached),
      'every unit of the second pass came from the store',
    );

    const report = await runCli(['sweep', 'report', id, '--out', join(dir, 'report')], env());
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /^lora\s+0,1\s.* ± /m);
    assert.deepEqual((await readdir(join(dir, 'report'))).sort(), [
      'comparison.csv',
      'metrics.csv',
      'report.html',
      'results.csv',
    ]);
  });
});
