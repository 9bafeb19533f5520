import type { Command } from 'commander';
import { DATASETS, type DatasetEntry, parseFraction, parseVariant, prepareDataset, VARIANT_FOLDERS } from '@coin/data';
import { checkOutputDir } from '@coin/core';
import type { CliContext } from '../context.js';
import { integerFlag } from './flags.js';
import { runInterruptible } from './interrupts.js';
import { registerPrepSynth } from './prep-synth.js';

/**
 * `coin prep`: writes CoIN instruction files. `coin prep synth` makes the offline world
 * (prep-synth.ts, the synth engineer's); `coin prep <Dataset> --raw DIR --out DIR` converts a
 * real dataset from its official files (one subcommand per dataset, so each has its own --help).
 */
interface DatasetFlags {
  raw: string;
  out: string;
  images?: string;
  variant: string;
  fraction: string;
  seed: string;
  progress?: boolean;
}

function registerDataset(prep: Command, ctx: CliContext, entry: DatasetEntry): void {
  const command = prep
    .command(entry.name)
    .description(
      `convert ${entry.name === 'Grounding' ? 'RefCOCO, RefCOCO+ and RefCOCOg' : entry.name} to CoIN's ${entry.task} files`,
    )
    .requiredOption('--raw <dir>', `the dataset as its official archives unpack: ${entry.raw}`)
    .requiredOption('--out <dir>', 'output folder (new, empty, or an earlier `coin prep` output to add to)')
    .option('--images <dir>', 'image folder when it is not under --raw (COCO train2014/val2014 for RefCOCO*, VQAv2)')
    .option('--variant <name>', 'instruction variant: original | diverse | 10type', 'original')
    .option('--fraction <f>', 'keep this fraction of the training instructions, (0, 1]', '1')
    .option('--seed <n>', 'seed for the volume subset and 10Type phrasing choice', '0')
    .option('--no-progress', 'no progress output on stderr')
    .addHelpText(
      'after',
      `\nWrites <out>/${VARIANT_FOLDERS.original.replace('Original', '<Variant>')}/${entry.task}/{train.json,test.json|val.json}, the annotation files CoIN's\nscorers read under <out>/cl_dataset/, links to the raw images, reports/${entry.name}/validation_report.{json,txt}\nand manifest.json. Everything is built beside --out and moved in at the end.\n`,
    )
    .action(async (flags: DatasetFlags) => {
      const variant = parseVariant(flags.variant);
      const fraction = parseFraction(flags.fraction);
      const seed = integerFlag('seed', flags.seed, 0, 0xffffffff, 0);
      // A bad --out is answered before the raw files are read (prepareDataset checks it again
      // when it creates the folders).
      await checkOutputDir(flags.out, { flag: '--out', beside: true });
      const stderr = ctx.stderr as NodeJS.WritableStream & { isTTY?: boolean };
      const result = await runInterruptible({ what: `prep ${entry.name}`, out: flags.out }, async (signal) => {
        const source = await entry.open(flags.raw, { images: flags.images });
        return prepareDataset(source, {
          out: flags.out,
          variant,
          fraction,
          seed,
          progress: flags.progress === false ? undefined : stderr,
          signal,
        });
      });
      ctx.stdout.write(result.summary);
      const { dropped, missingImages, corruptImages } = result.report;
      if (dropped.length > 0 || missingImages.length > 0 || corruptImages.length > 0) {
        ctx.stderr.write(
          `coin: warning: ${dropped.length} record(s) dropped, ${missingImages.length} with missing images and ${corruptImages.length} with corrupt images; see ${result.out}/reports/${entry.name}/validation_report.json\n`,
        );
      }
      ctx.stdout.write(
        `wrote ${result.out} (${Object.entries(result.counts)
          .map(([k, n]) => `${k}: ${n}`)
          .join(', ')})\n`,
      );
    });
  const lower = entry.name.toLowerCase();
  if (lower !== entry.name) command.alias(lower);
}

export function registerPrepCommand(program: Command, ctx: CliContext): void {
  const prep = program
    .command('prep')
    .description('write CoIN instruction files: `prep synth` (offline world) or `prep <Dataset> --raw DIR --out DIR`')
    .addHelpText('after', `\nDatasets: synth, ${DATASETS.map((d) => d.name).join(', ')}\n`);
  registerPrepSynth(prep, ctx);
  for (const entry of DATASETS) registerDataset(prep, ctx, entry);
}
