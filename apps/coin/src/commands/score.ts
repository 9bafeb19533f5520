import { dirname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { checkOutputDir, CoinError, makeOutputDir, type OutputTarget } from '@coin/core';
import {
  FIDELITIES,
  parseTaskName,
  scoreTaskFromFiles,
  TASKS,
  writeFileAtomic,
  writeOutputFile,
  type Fidelity,
} from '@coin/metrics';
import type { CliContext } from '../context.js';

interface ScoreOptions {
  baseDir?: string;
  split: string;
  annotationFile?: string;
  testFile?: string;
  resultFile: string;
  outputDir?: string;
  outputFile?: string;
  outputResult?: string;
  fidelity: Fidelity;
  json?: boolean;
  verdicts?: string;
}

/**
 * Checks every output path before scoring, so a bad one is exit 2 at once, never after the work.
 * The folders are created after scoring (makeOutputDir), so the writers' own mkdir only ever sees
 * folders that exist.
 */
async function checkOutputPaths(opts: ScoreOptions): Promise<OutputTarget[]> {
  const targets: OutputTarget[] = [];
  if (opts.outputDir !== undefined) targets.push(await checkOutputDir(opts.outputDir, { flag: '--output-dir' }));
  const files: Array<[string, string | undefined]> = [
    ['--output-file', opts.outputFile],
    ['--output-result', opts.outputResult],
    ['--verdicts', opts.verdicts],
  ];
  for (const [flag, file] of files) {
    if (file === undefined) continue;
    if (file.trim() === '') throw new CoinError('OUTPUT.EMPTY_PATH', 'INVALID_ARGUMENT', `${flag} is empty`);
    targets.push(await checkOutputDir(dirname(resolve(file)), { flag }));
  }
  return targets;
}

/**
 * `coin score <Task>`: a drop-in for CoIN's eval_<task>.py scripts (same flag names, same printed
 * lines, same Result.text), plus --json, --fidelity strict and per-item verdicts.
 */
export function registerScoreCommand(program: Command, ctx: CliContext): void {
  program
    .command('score')
    .description(`score a merge.jsonl exactly like CoIN's evaluation scripts (tasks: ${TASKS.join(', ')})`)
    .argument('<task>', `one of ${TASKS.join(', ')}`)
    .requiredOption('--result-file <file>', 'merge.jsonl: one answer record per line')
    .option(
      '--base-dir <dir>',
      'ScienceQA: folder with problems.json and pid_splits.json (default ./cl_dataset/ScienceQA)',
    )
    .option('--split <name>', 'ScienceQA: split of pid_splits.json', 'test')
    .option(
      '--annotation-file <file>',
      'TextVQA (TextVQA_0.5.1_val.json), GQA (testdev_balanced_questions.json), VizWiz, VQAv2, OCRVQA',
    )
    .option('--test-file <file>', 'ImageNet, Grounding: the CoIN test.json')
    .option('--output-dir <dir>', "write Result.text (and ScienceQA's output.jsonl, output_result.jsonl) there")
    .option('--output-file <file>', 'ScienceQA: where output.jsonl goes (overrides --output-dir)')
    .option('--output-result <file>', 'ScienceQA: where output_result.jsonl goes (overrides --output-dir)')
    .addOption(
      new Option('--fidelity <mode>', 'coin: exactly the original scorer; strict: its BUG? items fixed')
        .choices(FIDELITIES)
        .default('coin'),
    )
    .option('--json', 'print one JSON object {task, fidelity, samples, correct, accuracy} instead')
    .option('--verdicts <file>', 'also write one JSON line per scored item (id, prediction, expected, score, note)')
    .action(async (taskName: string, opts: ScoreOptions) => {
      const task = parseTaskName(taskName);
      if (task !== 'ScienceQA' && (opts.outputFile || opts.outputResult)) {
        throw new CoinError(
          'METRICS.BAD_FLAG',
          'INVALID_ARGUMENT',
          '--output-file and --output-result are ScienceQA flags',
          { hint: 'use --output-dir' },
        );
      }
      const targets = await checkOutputPaths(opts);
      const report = scoreTaskFromFiles(
        task,
        {
          baseDir: opts.baseDir,
          split: opts.split,
          annotationFile: opts.annotationFile,
          testFile: opts.testFile,
          resultFile: opts.resultFile,
        },
        opts.fidelity,
      );
      for (const target of targets) await makeOutputDir(target);
      for (const file of report.files) {
        const override =
          file.name === 'output.jsonl'
            ? opts.outputFile
            : file.name === 'output_result.jsonl'
              ? opts.outputResult
              : undefined;
        if (override) writeOutputFile(override, file);
        else if (opts.outputDir !== undefined) writeOutputFile(join(opts.outputDir, file.name), file);
      }
      if (opts.verdicts)
        writeFileAtomic(
          opts.verdicts,
          report.verdicts.map((v) => JSON.stringify(v)).join('\n') + (report.verdicts.length ? '\n' : ''),
        );
      if (opts.json) {
        const { task: t, fidelity, samples, correct, accuracy } = report;
        ctx.stdout.write(`${JSON.stringify({ task: t, fidelity, samples, correct, accuracy })}\n`);
      } else {
        ctx.stdout.write(report.stdout);
      }
    });
}
