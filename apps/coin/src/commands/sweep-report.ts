/**
 * `coin sweep report SWEEP`: the sweep's record (`sweeps/<id>/sweep.json`) and its runs'
 * results.json read from the store, and `coin report`'s files written from them — the methods table
 * with 95% intervals over seeds, and over seeds and task orders when the grid has several orders.
 * Runs without results yet (pending, running, failed) are named and left out.
 */
import { join, resolve } from 'node:path';
import { checkOutputDir, CoinError, makeOutputDir } from '@coin/core';
import type { RunResults } from '@coin/pipeline';
import { readUnitJson } from '@coin/platform';
import { resultStore } from '../client/result-store.js';
import type { CliContext } from '../context.js';
import { sweepTables } from './sweep-local.js';

export async function writeSweepReport(
  ctx: CliContext,
  id: string,
  flags: { out?: string; store?: string },
): Promise<void> {
  const pipeline = await import('@coin/pipeline');
  const store = await resultStore(ctx, flags);
  const record = await pipeline.readSweepState(store, id);
  if (!record)
    throw new CoinError('SWEEP.NOT_FOUND', 'NOT_FOUND', `no sweep ${id} in the store`, {
      hint: 'give the id `coin sweep` printed, and the store it ran on (--store, COIN_STORE or COIN_S3_ENDPOINT)',
    });
  const runs: RunResults[] = [];
  const missing: string[] = [];
  for (const runId of record.runs) {
    const path = `runs/${runId}/results.json`;
    if (await store.exists(path)) runs.push(pipeline.parseResults(await readUnitJson<unknown>(store, path), path));
    else missing.push(runId);
  }
  if (runs.length === 0)
    throw new CoinError('SWEEP.NO_RESULTS', 'FAILED_PRECONDITION', `no run of sweep ${id} has results yet`, {
      hint: `see coin sweep status ${id}`,
    });
  const out = resolve(flags.out ?? join('coin-results', id));
  const target = await checkOutputDir(out, { flag: '--out' });
  await makeOutputDir(target);
  const written = await pipeline.writeReport(runs, out);
  ctx.stdout.write(sweepTables(pipeline, runs));
  if (missing.length > 0)
    ctx.stderr.write(`${missing.length} of ${record.runs.length} runs have no results yet: ${missing.join(', ')}\n`);
  ctx.stderr.write(`wrote ${written.join(', ')} (${runs.length} runs)\n`);
}
