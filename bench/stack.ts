/**
 * npm run bench -- stack [--json] [--rounds N]
 *
 * The micro 2-task run (ImageNet, VQAv2; the stack tests' small world) over the local stack against
 * the embedded `coin run` of the same spec. The stack is brought up once, before the rounds (its
 * start is not timed); each round then times, alternating which goes first, `coin submit --wait`
 * on an emptied bucket and `coin run` on a fresh store, each a fresh CLI process, from start to
 * exit. `ratio` is the median of the per-round ratios stack ÷ embedded (goal ≤ 1.5). Where the
 * stack's time goes: `units_s`, the union of the intervals in which some worker computed a unit
 * (from the `unit computed` log lines) and the rest, `between_units_s` — request and completion
 * hops over the broker, the orchestrator's manifest checks in S3, the client — with `hops`, the
 * units computed, and the embedded run's own unit time beside it. `ceiling_gflops` is the 1024³
 * MatMul probe (before and after): how busy the shared machine was.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LOCAL_S3_CREDENTIALS, S3ObjectStore } from '@coin/platform';
import { createMatmulCeilingProbe } from '@coin/runtime';
import { arg } from './lib/args.js';
import { median, round } from './lib/stats.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const BIN = join(ROOT, 'apps/coin/bin/coin.js');
const SPEC = [
  '--preset',
  'micro',
  '--order',
  'ImageNet,VQAv2',
  '--world-train',
  '48',
  '--world-test',
  '8',
  '--world-pretrain',
  '16',
  '--pretrain-steps',
  '40',
];
const WORKERS = ['data-prep', 'trainer', 'evaluator', 'judge'];
const TARGET = 1.5;

function coin(args: readonly string[]): { seconds: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: process.env });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`coin ${args.join(' ')} exited ${r.status ?? r.signal}:\n${r.stderr}`);
  return { seconds, stdout: r.stdout };
}

async function ceilingGflops(): Promise<number> {
  const probe = await createMatmulCeilingProbe(1024);
  const gflops = (await probe.measure(3)).gflops;
  await probe.release();
  return gflops;
}

/** The `unit computed` lines the workers logged from `from` (byte offsets) on: [start, end] in ms. */
function unitIntervals(store: string, from: Map<string, number>): { kind: string; start: number; end: number }[] {
  return WORKERS.flatMap((w) =>
    readFileSync(join(store, 'stack', 'logs', `${w}.log`))
      .subarray(from.get(w) ?? 0)
      .toString('utf8')
      .split('\n')
      .filter((l) => l.startsWith('{') && l.includes('"unit computed"'))
      .map((l) => {
        const f = JSON.parse(l) as { time: number; wall_s: number; kind: string };
        return { kind: f.kind, start: f.time - f.wall_s * 1000, end: f.time };
      }),
  );
}

/** Seconds covered by at least one interval. */
function union(intervals: readonly { start: number; end: number }[]): number {
  let total = 0;
  let end = -Infinity;
  for (const i of [...intervals].sort((a, b) => a.start - b.start)) {
    if (i.end <= end) continue;
    total += i.end - Math.max(i.start, end);
    end = i.end;
  }
  return total / 1000;
}

/** Seconds the embedded run spent in its units (the unit records of its results.json in the store). */
function embeddedUnitSeconds(store: string): number | undefined {
  const runs = join(store, 'runs');
  const [run] = existsSync(runs) ? readdirSync(runs) : [];
  const file = run ? join(runs, run, 'results.json') : '';
  if (!run || !existsSync(file)) return undefined;
  const results = JSON.parse(readFileSync(file, 'utf8')) as { units?: { wall_s: number }[] };
  return results.units?.reduce((s, u) => s + u.wall_s, 0);
}

const json = process.argv.includes('--json');
const rounds = Number(arg('rounds') ?? 3);
const { build } = (await import(pathToFileURL(join(ROOT, 'tools/build-cli.mjs')).href)) as {
  build: () => Promise<number>;
};
await build();

const stackStore = mkdtempSync(join(tmpdir(), 'coin-bench-stack-'));
const scratch = mkdtempSync(join(tmpdir(), 'coin-bench-embedded-'));
const rows: {
  round: number;
  embedded_s: number;
  stack_s: number;
  ratio: number;
  units_s: number;
  between_units_s: number;
  hops: number;
  embedded_units_s: number | null;
}[] = [];
const ceiling: number[] = [];
coin(['stack', 'up', '--store', stackStore]);
try {
  const stack = JSON.parse(readFileSync(join(stackStore, 'stack', 'stack.json'), 'utf8')) as {
    s3: { endpoint: string; bucket: string };
  };
  ceiling.push(await ceilingGflops());
  for (let r = 0; r < rounds; r++) {
    const embedded = () => {
      const dir = join(scratch, `r${r}`);
      const t = coin(['run', ...SPEC, '--store', join(dir, 'store'), '--out', join(dir, 'out')]);
      const units = embeddedUnitSeconds(join(dir, 'store'));
      rmSync(dir, { recursive: true, force: true });
      return { seconds: t.seconds, units };
    };
    const overStack = async () => {
      // A client per round: s3rver drops idle keep-alive connections while the embedded run works.
      const s3 = new S3ObjectStore({ endpoint: stack.s3.endpoint, bucket: stack.s3.bucket, ...LOCAL_S3_CREDENTIALS });
      for (const top of ['datasets', 'models', 'stages', 'evals', 'judge', 'runs'])
        if ((await s3.list(top)).length > 0) await s3.deletePrefix(top);
      rmSync(join(stackStore, 'work'), { recursive: true, force: true });
      const from = new Map(WORKERS.map((w) => [w, statSync(join(stackStore, 'stack', 'logs', `${w}.log`)).size]));
      const t = coin(['submit', ...SPEC, '--wait', '--store', stackStore]);
      const intervals = unitIntervals(stackStore, from);
      return { seconds: t.seconds, units: union(intervals), hops: intervals.length };
    };
    const [e, s] =
      r % 2 === 0
        ? [embedded(), await overStack()]
        : await (async () => {
            const st = await overStack();
            return [embedded(), st] as const;
          })();
    rows.push({
      round: r + 1,
      embedded_s: round(e.seconds, 2),
      stack_s: round(s.seconds, 2),
      ratio: round(s.seconds / e.seconds, 2),
      units_s: round(s.units, 2),
      between_units_s: round(s.seconds - s.units, 2),
      hops: s.hops,
      embedded_units_s: e.units === undefined ? null : round(e.units, 2),
    });
  }
  ceiling.push(await ceilingGflops());
} finally {
  coin(['stack', 'down', '--store', stackStore]);
  rmSync(stackStore, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
}

const col = (k: keyof (typeof rows)[number]) => median(rows.map((x) => x[k] as number));
const summary = {
  rounds,
  node: process.version,
  embedded_s: round(col('embedded_s'), 2),
  stack_s: round(col('stack_s'), 2),
  ratio: round(col('ratio'), 2),
  target_met: col('ratio') <= TARGET,
  units_s: round(col('units_s'), 2),
  between_units_s: round(col('between_units_s'), 2),
  hops: col('hops'),
  ceiling_gflops: round(median(ceiling), 0),
};
if (json) {
  for (const row of rows) console.log(JSON.stringify(row));
  console.log(JSON.stringify(summary));
} else {
  console.log(`stack: ${new Date().toISOString()}, node ${process.version}; micro, 2 tasks, ${rounds} rounds`);
  console.log('round  embedded_s  stack_s  ratio  units_s  between_units_s  hops  embedded_units_s');
  for (const x of rows)
    console.log(
      `${String(x.round).padStart(5)}  ${x.embedded_s.toFixed(2).padStart(10)}  ${x.stack_s.toFixed(2).padStart(7)}  ${x.ratio.toFixed(2).padStart(5)}  ${x.units_s.toFixed(2).padStart(7)}  ${x.between_units_s.toFixed(2).padStart(15)}  ${String(x.hops).padStart(4)}  ${x.embedded_units_s === null ? '-' : x.embedded_units_s.toFixed(2)}`,
    );
  console.log(
    `median: stack/embedded ${summary.ratio} (goal ≤ ${TARGET}: ${summary.target_met ? 'met' : 'not met'}); stack ${summary.stack_s} s = units ${summary.units_s} s + between units ${summary.between_units_s} s over ${summary.hops} units; ceiling_gflops ${summary.ceiling_gflops}`,
  );
}
