/**
 * npm run bench -- decode [--json] [--reps N] [--model tiny|B] [--batch N]
 *
 * Greedy decoding throughput: the cached generator (prefill and decode Loops, one `run` per
 * generation) against the recompute reference (one forward over the whole sequence per new token), for the coin-tiny
 * preset and the tensor-engine config B shape (lib/decode-cases.ts), 63 new tokens, batch 1 and 32.
 * Each row also gives `ceiling_gflops`, a 1024³ MatMul probe (train-step's) run before and after
 * the row's rounds: how fast this shared machine was then, so rows from different hours can be
 * compared.
 */
import { createMatmulCeilingProbe } from '@coin/runtime';
import {
  DECODE_CASES,
  type DecodeCase,
  makeGenerator,
  NEW_TOKENS,
  probeOnce,
  promptBatch,
  timedRun,
} from './lib/decode-cases.js';
import { arg } from './lib/args.js';
import { median, round } from './lib/stats.js';

/** Tokens per second of the cached and the recompute generator, timed in alternating rounds. */
async function measure(
  c: DecodeCase,
  batch: number,
  reps: number,
  recomputeReps: number,
): Promise<{ kv: number; recompute: number; speedup: number; low: number; high: number; ceiling: number }> {
  const [cached, recompute] = [await makeGenerator(c, batch), await makeGenerator(c, batch, {}, 'reference')];
  const probe = await createMatmulCeilingProbe(1024);
  await probe.measure(2);
  const input = promptBatch(c, batch);
  await cached.generate(input, NEW_TOKENS); // warm-up
  await recompute.generate(input, 2);
  const kv: number[] = [];
  const rec: number[] = [];
  // The probe runs before and after the rounds, not between them: a 1024³ MatMul between rounds
  // cost batch-1 decoding ~10 % (it evicts the weights the next generation reads from L3).
  const ceiling = [await probeOnce(probe)];
  for (let r = 0; r < reps; r++) {
    kv.push((await timedRun(cached, input, batch)).tokS);
    if (r < recomputeReps) rec.push((await timedRun(recompute, input, batch)).tokS);
  }
  ceiling.push(await probeOnce(probe));
  await Promise.all([cached.release(), recompute.release(), probe.release()]);
  // The speedup pairs each recompute round with the cached round just before it, so a slow spell
  // of the shared machine moves both sides of a ratio together.
  const ratios = rec.map((r, i) => kv[i] / r).sort((a, b) => a - b);
  return {
    kv: median(kv),
    recompute: median(rec),
    speedup: median(ratios),
    low: ratios[0],
    high: ratios[ratios.length - 1],
    ceiling: median(ceiling),
  };
}

const json = process.argv.includes('--json');
const reps = Number(arg('reps') ?? 5);
if (!json)
  console.log(
    `decode: ${new Date().toISOString()}, node ${process.version}; ${NEW_TOKENS} new tokens\nmodel  batch   kv_tok_s  recompute_tok_s  speedup  (paired rounds: min–max)  ceiling_gflops`,
  );
for (const c of DECODE_CASES.filter((x) => !arg('model') || x.model === arg('model'))) {
  for (const batch of arg('batch') ? [Number(arg('batch'))] : [1, 32]) {
    const m = await measure(c, batch, reps, batch === 1 ? reps : 2);
    const row = {
      model: c.model,
      batch,
      kv_tok_s: round(m.kv, 0),
      recompute_tok_s: round(m.recompute, 0),
      speedup: round(m.speedup, 1),
      ceiling_gflops: round(m.ceiling, 0),
    };
    if (json) console.log(JSON.stringify(row));
    else
      console.log(
        `${row.model.padEnd(6)} ${String(batch).padStart(5)} ${String(row.kv_tok_s).padStart(10)} ${String(row.recompute_tok_s).padStart(16)} ${String(row.speedup).padStart(8)}  ${`(${round(m.low, 1)}–${round(m.high, 1)})`.padEnd(12)} ${String(row.ceiling_gflops).padStart(14)}`,
      );
  }
}
