/**
 * npm run bench -- cli [--json] [--runs N] [--baseline COMMIT]
 *
 * Start-up time of `coin --help`, each call a fresh Node process: the launcher as `npx coin` runs
 * it (compiled JavaScript from dist/, tools/build-cli.mjs) against bin/coin-from-source.js (the
 * TypeScript compiled on the fly by swc-node, the launcher every call ran before dist/), plus `node -e ''`, the floor no CLI can go below. The three alternate within each round,
 * so a slow spell of the shared machine slows all of them; `ratio` is the median of the per-round
 * ratios (on-the-fly ÷ compiled). `ceiling_gflops` is the 1024³ MatMul probe the other benchmarks
 * print (median of a reading before and one after the rounds): how busy the machine was.
 * `--baseline COMMIT` adds that commit's `coin --help` (its tree unpacked to a temporary folder,
 * sharing this checkout's node_modules) to the rounds, e.g. the last commit before dist/ existed.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMatmulCeilingProbe } from '@coin/runtime';
import { arg } from './lib/args.js';
import { median, quartiles, round } from './lib/stats.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const BIN = join(ROOT, 'apps/coin/bin/coin.js');
const FROM_SOURCE_BIN = join(ROOT, 'apps/coin/bin/coin-from-source.js');
const TARGET_S = 0.5;

interface Variant {
  readonly name: string;
  readonly args: readonly string[];
}

const VARIANTS: Variant[] = [
  { name: 'compiled', args: [BIN, '--help'] },
  { name: 'on-the-fly', args: [FROM_SOURCE_BIN, '--help'] },
  { name: 'node -e ""', args: ['-e', ''] },
];

function run(command: string, args: readonly string[]): void {
  const r = spawnSync(command, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status ?? r.signal}`);
}

/** The tree of `commit` in a temporary folder, its node_modules this checkout's but for @coin/*. */
function unpackCommit(commit: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'coin-bench-baseline-'));
  run('git', ['archive', '--format=tar', '-o', join(dir, 'tree.tar'), commit]);
  run('tar', ['-xf', join(dir, 'tree.tar'), '-C', dir]);
  mkdirSync(join(dir, 'node_modules/@coin'), { recursive: true });
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry !== '@coin') symlinkSync(join(ROOT, 'node_modules', entry), join(dir, 'node_modules', entry));
  }
  for (const group of ['libs', 'apps']) {
    for (const project of readdirSync(join(dir, group))) {
      const { name } = JSON.parse(readFileSync(join(dir, group, project, 'package.json'), 'utf8')) as { name: string };
      symlinkSync(join(dir, group, project), join(dir, 'node_modules', name));
    }
  }
  return dir;
}

/** Wall-clock seconds of one fresh process, which must exit 0 (and print nothing on stderr, when timed). */
function timeOnce(v: Variant, warmUp = false): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, v.args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0 || (r.stderr !== '' && !warmUp)) {
    throw new Error(`${v.name} exited ${r.status ?? r.signal} with stderr:\n${r.stderr}`);
  }
  return seconds;
}

async function ceilingGflops(): Promise<number> {
  const probe = await createMatmulCeilingProbe(1024);
  const gflops = (await probe.measure(3)).gflops;
  await probe.release();
  return gflops;
}

const json = process.argv.includes('--json');
const runs = Number(arg('runs') ?? 15);
const baseline = arg('baseline');
const baselineDir = baseline ? unpackCommit(baseline) : undefined;
if (baseline && baselineDir)
  VARIANTS.push({ name: baseline, args: [join(baselineDir, 'apps/coin/bin/coin.js'), '--help'] });

// Brings dist/ up to date first, so that no timed run rebuilds it.
const { build } = (await import(pathToFileURL(join(ROOT, 'tools/build-cli.mjs')).href)) as {
  build: () => Promise<number>;
};
await build();
for (const v of VARIANTS) timeOnce(v, true); // warm-up: files in the page cache (a baseline with dist/ builds it)

const ceiling = [await ceilingGflops()];
const samples = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
try {
  for (let r = 0; r < runs; r++) {
    for (const v of VARIANTS) samples.get(v.name)?.push(timeOnce(v));
  }
} finally {
  if (baselineDir) rmSync(baselineDir, { recursive: true, force: true });
}
ceiling.push(await ceilingGflops());

const compiled = samples.get('compiled') ?? [];
/** Median over rounds of a variant's time ÷ the compiled launcher's in the same round. */
const ratioToCompiled = (name: string) => median((samples.get(name) ?? []).map((s, i) => s / compiled[i]));
const rows = VARIANTS.map((v) => {
  const xs = samples.get(v.name) ?? [];
  const { q1, q3 } = quartiles(xs);
  return { variant: v.name, median_s: round(median(xs), 3), q1_s: round(q1, 3), q3_s: round(q3, 3) };
});
const summary = {
  runs,
  node: process.version,
  ratio: round(ratioToCompiled('on-the-fly'), 1),
  ...(baseline ? { baseline, ratio_baseline: round(ratioToCompiled(baseline), 1) } : {}),
  target_met: median(compiled) <= TARGET_S,
  ceiling_gflops: round(median(ceiling), 0),
};

if (json) {
  for (const row of rows) console.log(JSON.stringify(row));
  console.log(JSON.stringify(summary));
} else {
  console.log(`cli: ${new Date().toISOString()}, node ${process.version}; coin --help, ${runs} rounds`);
  console.log('variant       median_s   IQR (q1–q3)');
  for (const row of rows) {
    console.log(
      `${row.variant.padEnd(12)} ${row.median_s.toFixed(3).padStart(9)}   ${row.q1_s.toFixed(3)}–${row.q3_s.toFixed(3)}`,
    );
  }
  const vsBaseline = baseline ? `, ${baseline}/compiled ${summary.ratio_baseline}` : '';
  console.log(
    `ratios (median of rounds): on-the-fly/compiled ${summary.ratio}${vsBaseline}; compiled ≤ ${TARGET_S} s: ${summary.target_met ? 'yes' : 'no'}; ceiling_gflops ${summary.ceiling_gflops}`,
  );
}
