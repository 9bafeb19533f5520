/** A run's files in its output folder: results.json, then the report's (docs/file-formats.md#results-json). */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@coin/core';
import { writeReport } from '../report/report-files.js';
import type { RunResults } from '../results/results.js';

/** One run: its results.json and report; several (seeds): the combined report only. */
export async function writeRunOutputs(dir: string, runs: readonly RunResults[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  if (runs.length === 1) {
    const path = join(dir, 'results.json');
    await writeFileAtomic(path, `${JSON.stringify(runs[0], null, 2)}\n`);
    paths.push(path);
  }
  return [...paths, ...(await writeReport(runs, dir))];
}
