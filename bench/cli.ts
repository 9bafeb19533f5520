/**
 * npm run bench -- cli [--json] [--runs N]
 *
 * Start-up time of `coin --help`, each call a fresh Node process: the launcher as `npx coin` runs
 * it (compiled JavaScript from dist/, tools/build-cli.mjs) against the same launcher with
 * COIN_FROM_SOURCE=1 (the TypeScript compiled on the fly by swc-node, as every call did before
 * dist/), plus `node -e ''`, the floor no CLI can go below. The three alternate within each round,
 * so a slow spell of the shared machine slows all of them; `ratio` is the median of the per-round
 * ratios (on-the-fly ÷ compiled). `ceiling_gflops` is the 1024³ MatMul probe the other benchmarks
 * print (median of a reading before and one after the rounds): how busy the machine was.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMatmulCeilingProbe } from '@coin/runtime';
import { arg } from './lib/args.js';
import { median, quartiles, round } from './lib/stats.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const BIN = join(ROOT, 'apps/coin/bin/coin.js');
const TARGET_S = 0.5;

interface Variant {
  readonly name: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
}

const VARIANTS: readonly Variant[] = [
  { name: 'compiled', args: [BIN, '--help'], env: {} },
  { name: 'on-the-fly', args: [BIN, '--help'], env: { COIN_FROM_SOURCE: '1' } },
  { name: 'node -e ""', args: ['-e', ''], env: {} },
];

/** Wall-clock seconds of one fresh process, which must exit 0. */
function timeOnce(v: Variant): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, v.args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...v.env },
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0 || r.stderr !== '') {
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

// Brings dist/ up to date first, so that no timed run rebuilds it.
const { build } = (await import(pathToFileURL(join(ROOT, 'tools/build-cli.mjs')).href)) as {
  build: () => Promise<number>;
};
await build();
for (const v of VARIANTS) timeOnce(v); // warm-up: files in the page cache

const ceiling = [await ceilingGflops()];
const samples = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
for (let r = 0; r < runs; r++) {
  for (const v of VARIANTS) samples.get(v.name)?.push(timeOnce(v));
}
ceiling.push(await ceilingGflops());

const compiled = samples.get('compiled') ?? [];
const ratios = (samples.get('on-the-fly') ?? []).map((s, i) => s / compiled[i]);
const rows = VARIANTS.map((v) => {
  const xs = samples.get(v.name) ?? [];
  const { q1, q3 } = quartiles(xs);
  return { variant: v.name, median_s: round(median(xs), 3), q1_s: round(q1, 3), q3_s: round(q3, 3) };
});
const summary = {
  runs,
  node: process.version,
  ratio: round(median(ratios), 1),
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
  console.log(
    `ratio on-the-fly/compiled ${summary.ratio} (median of rounds); compiled ≤ ${TARGET_S} s: ${summary.target_met ? 'yes' : 'no'}; ceiling_gflops ${summary.ceiling_gflops}`,
  );
}
