import type { Command } from 'commander';
import { invalidArgument } from '@coin/core';
import { integerFlag } from './flags.js';
import { runInterruptible } from './interrupts.js';
import {
  DEFAULT_SYNTH_OPTIONS,
  INSTRUCTION_VARIANTS,
  prepareSynth,
  type InstructionVariant,
  type SynthOptions,
} from '@coin/data';
import type { CliContext } from '../context.js';

interface SynthFlags {
  out: string;
  train: string;
  test: string;
  seed: string;
  variant: string;
  fraction: string;
  imageSize: string;
  pretrain: string;
  force?: boolean;
}

const MAX_ITEMS = 100_000;

function fractionFlag(text: string): number {
  const value = /^(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
  if (!(value > 0 && value <= 1))
    throw invalidArgument(
      'PREP.BAD_FLAG',
      `--fraction must be a number in (0, 1], got ${JSON.stringify(text)}`,
      'CoIN uses 0.1, 0.2, 0.4, 0.6, 0.8 and 1',
    );
  return value;
}

function variantFlag(text: string): InstructionVariant {
  const v = text.toLowerCase();
  if (!(INSTRUCTION_VARIANTS as readonly string[]).includes(v)) {
    throw invalidArgument(
      'PREP.BAD_FLAG',
      `--variant must be one of ${INSTRUCTION_VARIANTS.join(', ')}, got ${JSON.stringify(text)}`,
    );
  }
  return v as InstructionVariant;
}

/** Turns the flags into options; every bad value is a usage error (exit 2) naming what is allowed. */
export function parseSynthFlags(flags: SynthFlags): SynthOptions {
  return {
    seed: integerFlag('seed', flags.seed, 0, 0xffffffff),
    train: integerFlag('train', flags.train, 1, MAX_ITEMS),
    test: integerFlag('test', flags.test, 1, MAX_ITEMS),
    imageSize: integerFlag('image-size', flags.imageSize, 32, 1024),
    variant: variantFlag(flags.variant),
    fraction: fractionFlag(flags.fraction),
    pretrain: integerFlag('pretrain', flags.pretrain, 0, MAX_ITEMS),
  };
}

/** `coin prep synth`: the offline CoIN-Synth world in CoIN's folder layout. */
export function registerPrepSynth(prep: Command, ctx: CliContext): void {
  const d = DEFAULT_SYNTH_OPTIONS;
  prep
    .command('synth')
    .description("generate CoIN-Synth, a seeded procedural world with all 8 CoIN tasks in CoIN's files (no downloads)")
    .requiredOption('--out <dir>', 'output folder (written beside it, then renamed into place)')
    .option('--train <n>', 'training items per task', String(d.train))
    .option('--test <n>', 'test (val) items per task', String(d.test))
    .option('--seed <s>', 'seed (0..4294967295); same seed and flags give byte-identical files', String(d.seed))
    .option('--variant <v>', `instruction variant: ${INSTRUCTION_VARIANTS.join('|')}`, d.variant)
    .option('--fraction <f>', "fraction of each task's training items kept, in (0, 1]", String(d.fraction))
    .option('--image-size <px>', 'image size in pixels (longer side), 32..1024', String(d.imageSize))
    .option('--pretrain <n>', 'captioned pretraining images per task', String(d.pretrain))
    .option('--force', 'replace --out if it is an earlier `coin prep` output holding nothing else')
    .addHelpText(
      'after',
      '\nWrites <out>/Instructions_<Variant>/<Task>/train.json + test.json|val.json, images and the official\n' +
        "annotation files under <out>/cl_dataset (CoIN's --image_folder), <out>/pretrain/captions.jsonl,\n" +
        'reports/synth/validation_report.json|txt and manifest.json (sha256 of every file).\n',
    )
    .action(async (flags: SynthFlags) => {
      const options = parseSynthFlags(flags);
      const started = Date.now();
      const result = await runInterruptible({ what: 'prep synth', out: flags.out }, (signal) =>
        prepareSynth(flags.out, options, {
          force: flags.force,
          progress: ctx.stderr as NodeJS.WritableStream & { isTTY?: boolean },
          signal,
        }),
      );
      const bytes = result.manifest.files.reduce((sum, f) => sum + f.size, 0);
      ctx.stdout.write(result.summary);
      ctx.stdout.write(
        `\nwrote ${result.out}: ${result.manifest.files.length} files, ${(bytes / 1e6).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)}s\n`,
      );
    });
}
