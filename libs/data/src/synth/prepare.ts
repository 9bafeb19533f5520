import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CoinError } from '@coin/core';
import { COIN_TASKS } from '../formats/records.js';
import { tempPathBeside } from '../prep/atomic-write.js';
import { writeManifest, type Manifest } from '../prep/manifest.js';
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

async function isEmptyDir(path: string): Promise<boolean | undefined> {
  try {
    const s = await stat(path);
    if (!s.isDirectory()) return false;
    return (await readdir(path)).length === 0;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * `coin prep synth`: generates the world in a hidden temp folder beside `out`, checks it, writes
 * the validation report and the manifest (last), then renames the folder to `out`. A failure at
 * any point removes the temp folder; `out` is never half-written. An existing non-empty `out` is
 * replaced only with `force`.
 */
export async function prepareSynth(
  out: string,
  options: SynthOptions,
  opts: { force?: boolean; progress?: ProgressSink } = {},
): Promise<PrepareSynthResult> {
  const existing = await isEmptyDir(out);
  if (existing === false && !opts.force) {
    throw new CoinError('PREP.OUT_EXISTS', 'ALREADY_EXISTS', `output folder ${out} exists and is not empty`, {
      hint: 'choose another --out, remove the folder, or pass --force to replace it',
      details: { out },
    });
  }
  await mkdir(dirname(out), { recursive: true });
  const staging = tempPathBeside(out);
  await mkdir(staging);
  try {
    const tasks = await writeSynthWorld(staging, options, opts.progress);
    const check = await checkSynthWorld(staging, options.variant);
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
      extra: { generator: 'coin-synth', generatorVersion: 1 },
    });
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
