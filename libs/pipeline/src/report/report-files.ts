/** Everything `coin report` writes, built in memory, then each file written whole (beside + rename). */
import { join } from 'node:path';
import { writeFileAtomic } from '@coin/core';
import type { RunResults } from '../results/results.js';
import { comparisonCsv, metricsCsv, resultsCsv } from './csv.js';
import { groupRuns } from './group-runs.js';
import { renderReport } from './render-report.js';

export interface ReportFile {
  readonly name: string;
  readonly content: string;
}

/** report.html, results.csv, metrics.csv, and comparison.csv when there are several runs. */
export function reportFiles(runs: readonly RunResults[]): ReportFile[] {
  const files: ReportFile[] = [
    { name: 'report.html', content: renderReport(runs) },
    { name: 'results.csv', content: resultsCsv(runs) },
    { name: 'metrics.csv', content: metricsCsv(runs) },
  ];
  if (runs.length > 1) files.push({ name: 'comparison.csv', content: comparisonCsv(groupRuns(runs)) });
  return files;
}

/** Writes the files into `dir` (which must exist or be creatable); returns their paths. */
export async function writeReport(runs: readonly RunResults[], dir: string): Promise<string[]> {
  const paths: string[] = [];
  for (const file of reportFiles(runs)) {
    const path = join(dir, file.name);
    await writeFileAtomic(path, file.content);
    paths.push(path);
  }
  return paths;
}
