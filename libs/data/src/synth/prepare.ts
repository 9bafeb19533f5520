import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { checkOutputDir, CoinError, makeParentDirs, removeStaleTempsBeside } from '@coin/core';
import { COIN_TASKS } from '../formats/records.js';
import { tempPathBeside } from '../prep/atomic-write.js';
import { writeManifest, type Manifest } from '../prep/manifest.js';
import { assertReplaceable } from '../prep/replace-check.js';
import { ValidationReportBuilder, writeValidationReport } from '../prep/validation-report.js';
import { checkSynthWorld } from './check.js';
import { SYNTH_LAYOUT, writeSynthWorld, type ProgressSink, type SynthOptions } from './generate.js';

export interface PrepareSynthResult {
  readonly out: string;
  readonly manifest: Manifest;
  /** The human-readable validation summary. */
  readonly summary: string;
  readonly stats: Record<string, number>;
}

async function isEmptyDir(path: string): Promise<boolean> {
  return (await readdir(path)).length === 0;
}

export interface PrepareSynthOptions {
  /** Replace a non-empty `out`; allowed only for an earlier prep output (see assertReplaceable). */
  readonly force?: boolean;
  readonly progress?: ProgressSink;
  /** Stops the run between images and steps; the temp folder is removed and `out` left untouched. */
  readonly signal?: AbortSignal;
}

/**
 * `coin prep synth`: generates the world in a hidden temp folder beside `out`, checks it, writes
 * the validation report and the manifest (last), then renames the folder to `out`. A failure or
 * an abort at any point removes the temp folder; `out` is never half-written. An existing
 * non-empty `out` is replaced only with `force`, and only when it is an earlier prep output.
 */
export async function prepareSynth(
  out: string,
  options: SynthOptions,
  opts: PrepareSynthOptions = {},
): Promise<PrepareSynthResult> {
  const target = await checkOutputDir(out, { flag: '--out', beside: true });
  const existing = target.exists ? await isEmptyDir(out) : undefined;
  if (existing === false && !opts.force) {
    throw new CoinError('PREP.OUT_EXISTS', 'ALREADY_EXISTS', `output folder ${out} exists and is not empty`, {
      hint: 'choose another --out, remove the folder, or pass --force to replace it',
      details: { out },
    });
  }
  if (existing === false) await assertReplaceable(out);
  await removeStaleTempsBeside(out);
  opts.signal?.throwIfAborted();
  await makeParentDirs(target);
  const staging = tempPathBeside(out);
  await mkdir(staging);
  try {
    const tasks = await writeSynthWorld(staging, options, opts.progress, opts.signal);
    opts.signal?.throwIfAborted();
    const check = await checkSynthWorld(staging, options.variant);
    opts.signal?.throwIfAborted();
    const report = new ValidationReportBuilder('synth');
    for (const t of tasks) {
      report.countSource(`${t.task}/train`, t.trainBeforeFraction);
      report.countSource(`${t.task}/test`, t.test.length);
      report.count(`${t.task}/train`, t.train.length);
      report.count(`${t.task}/test`, t.test.length);
    }
    for (const [key, value] of Object.entries(check.stats))
      if (key.includes('fraction')) report.note(`${key}: ${value.toFixed(3)}`);
    for (const p of check.problems) report.note(`problem: ${p}`);
    const summary = await writeValidationReport(join(staging, SYNTH_LAYOUT.reports), report.toReport());
    if (check.problems.length > 0) {
      throw new CoinError(
        'SYNTH.CHECK_FAILED',
        'INTERNAL',
        `the generated world failed ${check.problems.length} check(s): ${check.problems.slice(0, 5).join('; ')}`,
        {
          hint: 'this is a bug in CoIN-Synth; report it with the flags you used',
          details: { problems: check.problems },
        },
      );
    }
    const counts: Record<string, number> = {};
    for (const t of tasks) {
      counts[`${t.task}/train`] = t.train.length;
      counts[`${t.task}/test`] = t.test.length;
    }
    const manifest = await writeManifest(staging, {
      kind: 'synth',
      params: { ...options, tasks: COIN_TASKS },
      counts,
      extra: { generator: 'coin-synth', generatorVersion: 2 },
    });
    // The last point to stop: from here on `out` is replaced, which must not be cut short.
    opts.signal?.throwIfAborted();
    if (existing === true) await rm(out, { recursive: true });
    if (existing === false) {
      const old = tempPathBeside(out);
      await rename(out, old);
      await rename(staging, out);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(staging, out);
    }
    return { out, manifest, summary, stats: check.stats };
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
}
