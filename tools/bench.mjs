#!/usr/bin/env node
// `npm run bench -- <name> [args]`: runs bench/<name>.ts through swc-node; `--help` lists the benchmarks.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One line per benchmark for `--help`; bench/README.md says how each measures and holds its latest figures. */
const SUMMARIES = {
  'train-step': 'one training step (forward + backward + AdamW) against a 1024³ MatMul ceiling and TensorFlow.js',
  decode: 'greedy decoding tokens/s: the cached generator against the recompute reference, batch 1 and 32',
  stage: 'a coin-tiny LoRA stage on CoIN-Synth alternating with bare TrainRunner steps of its plan: loop_overhead',
  'decode-ab': 'two cached generator variants in alternating rounds: the paired ratio B ÷ A and its IQR',
  cli: 'start-up of `coin --help`: the compiled launcher against on-the-fly compiling and bare node',
  'seq-lengths': "expanded token lengths of every CoIN-Synth task under each preset's tokenizer, against maxSeq",
  stack:
    'the micro 2-task run over the local stack (coin submit --wait) against the embedded coin run: ratio, hop time',
  'eval-cell':
    'evaluation cells (StageEvaluator: files, prompts, images, merge.jsonl) against the bare Generator on the same batches',
};

const root = resolve(fileURLToPath(import.meta.url), '../..');
const [name, ...args] = process.argv.slice(2);
const available = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();
const listing = () =>
  `usage: npm run bench -- <name> [args] [--json]\n\nbenchmarks (bench/README.md: method, targets, latest figures):\n${available
    .map((b) => `  ${b.padEnd(12)} ${SUMMARIES[b] ?? '(no summary: add one to tools/bench.mjs)'}`)
    .join('\n')}`;
if (name === '--help' || name === '-h') {
  console.log(listing());
  process.exit(0);
}
if (!name || !available.includes(name)) {
  console.error(`${name ? `unknown benchmark: ${name}\n` : ''}${listing()}`);
  process.exit(2);
}
const script = join(root, 'bench', `${name}.ts`);
const r = spawnSync(process.execPath, ['--import', '@swc-node/register/esm-register', script, ...args], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_NO_WARNINGS: '1' },
});
process.exit(r.status ?? 1);
