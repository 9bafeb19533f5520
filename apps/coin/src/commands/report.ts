import { dirname } from 'node:path';
import type { Command } from 'commander';
import { checkOutputDir, CoinError, makeOutputDir } from '@coin/core';
import type { RunResults } from '@coin/pipeline';
import type { CliContext } from '../context.js';

interface ReportFlags {
  out?: string;
}

/** The same run reached through two copies of its results.json would count twice over seeds. */
function checkDistinctRuns(runs: readonly RunResults[], files: readonly string[]): void {
  const seen = new Map<string, string>();
  runs.forEach((run, k) => {
    const first = seen.get(run.run_id);
    if (first !== undefined)
      throw new CoinError(
        'REPORT.DUPLICATE_RUN',
        'INVALID_ARGUMENT',
        `${files[k]} and ${first} hold the same run ${run.run_id}`,
        {
          hint: 'give each run once: a run counted twice would narrow the interval over seeds for nothing',
          details: { file: files[k], run_id: run.run_id },
        },
      );
    seen.set(run.run_id, files[k]);
  });
}

/**
 * `coin report R…`: report.html, results.csv and metrics.csv (comparison.csv with several runs)
 * rebuilt from results.json files (docs/file-formats.md#results-json); the methods table on stdout.
 */
export function registerReportCommand(program: Command, ctx: CliContext): void {
  program
    .command('report')
    .description(
      'rebuild report.html, results.csv and metrics.csv (and comparison.csv for several runs) from results.json files; prints the methods table',
    )
    .argument('<results...>', 'a results.json, a run folder holding one, or a folder of run folders')
    .option('--out <dir>', "where to write (default: beside the run's results.json, or ./coin-report for several runs)")
    .action(async (paths: string[], flags: ReportFlags) => {
      // The pipeline lib loads on use: `coin --help` stays fast.
      const { groupRuns, locateResults, methodsTableText, readResults, writeReport } = await import('@coin/pipeline');
      const files = await locateResults(paths);
      const runs: RunResults[] = [];
      for (const file of files) runs.push(await readResults(file));
      checkDistinctRuns(runs, files);
      const out = flags.out ?? (runs.length === 1 ? dirname(files[0]) : 'coin-report');
      const target = await checkOutputDir(out, { flag: '--out' });
      await makeOutputDir(target);
      const written = await writeReport(runs, target.path);
      ctx.stdout.write(methodsTableText(groupRuns(runs)));
      ctx.stderr.write(`wrote ${written.join(', ')} (${runs.length} run${runs.length === 1 ? '' : 's'})\n`);
    });
}
