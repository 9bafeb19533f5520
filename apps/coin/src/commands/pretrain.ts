import { cp, readdir, rename, rm } from 'node:fs/promises';
import type { Command } from 'commander';
import { checkOutputDir, CoinError, makeParentDirs, removeStaleTempsBeside, tempPathBeside } from '@coin/core';
import type { BaseManifest } from '@coin/training';
import type { CliContext } from '../context.js';
import { integerFlag } from './flags.js';
import { runInterruptible } from './interrupts.js';
import { pretrainProgress } from './pretrain-progress.js';

interface PretrainFlags {
  preset: string;
  data?: string;
  seed: string;
  out?: string;
  steps?: string;
  visionSteps?: string;
  progress?: boolean;
}

/** `coin pretrain`: the base model of a preset, pretrained on a synth world and cached in the store. */
export function registerPretrainCommand(program: Command, ctx: CliContext): void {
  program
    .command('pretrain')
    .description('pretrain a base model (tokenizer, vision tower, projector, decoder) on a CoIN-Synth world')
    .requiredOption('--preset <p>', 'model preset: micro|tiny|small')
    .option('--data <dir>', 'a `coin prep synth` world (default: the default world, generated into the store once)')
    .option('--seed <s>', 'seed (0..4294967295); same seed and data give identical bytes', '0')
    .option('--out <dir>', 'also copy the base folder here (must not exist or be empty)')
    .option('--steps <n>', "captioning's optimizer steps (default: the preset's)")
    .option(
      '--vision-steps <n>',
      "steps of the vision tower's warm-up before captioning, 0 = none (default: the preset's)",
    )
    .option('--progress', 'draw progress on stderr even when it is not a terminal')
    .addHelpText(
      'after',
      '\nWrites <storeDir>/models/<key>/: model.safetensors + coin_config.json (the base checkpoint),\n' +
        'tokenizer.json + tokenizer_config.json and manifest.json (written last: preset, seed, data hash,\n' +
        'tokenizer hash, held-out caption loss). The key hashes every input, so a second run returns at once.\n',
    )
    .action(async (flags: PretrainFlags) => {
      // Loaded here, not at the top: it brings ONNX Runtime and sharp, which `coin --help` must not load.
      const { presetName, pretrainBase, pretrainHyper } = await import('@coin/training');
      const preset = presetName(flags.preset);
      const seed = integerFlag('seed', flags.seed, 0, 0xffffffff);
      const steps = flags.steps === undefined ? undefined : integerFlag('steps', flags.steps, 1, 1_000_000, 600);
      const visionSteps =
        flags.visionSteps === undefined
          ? undefined
          : integerFlag('vision-steps', flags.visionSteps, 0, 1_000_000, 1500);
      const hyper = pretrainHyper(preset, {
        ...(steps === undefined ? {} : { steps }),
        ...(visionSteps === undefined ? {} : { visionWarmupSteps: visionSteps }),
      });
      const out =
        flags.out === undefined ? undefined : await checkOutputDir(flags.out, { flag: '--out', beside: true });
      if (out?.exists) {
        if ((await readdir(out.path)).length > 0)
          throw new CoinError(
            'PRETRAIN.OUT_EXISTS',
            'ALREADY_EXISTS',
            `output folder ${flags.out} exists and is not empty`,
            {
              hint: 'choose another --out or remove the folder',
            },
          );
      }
      const config = ctx.getConfig();
      const stderr = ctx.stderr as NodeJS.WritableStream & { isTTY?: boolean };
      const draw = stderr.isTTY === true || flags.progress === true;
      const result = await runInterruptible({ what: 'pretrain', out: flags.out ?? config.storeDir }, async (signal) => {
        const r = await pretrainBase({
          preset,
          seed,
          storeDir: config.storeDir,
          dataDir: flags.data,
          hyper,
          threads: config.runtime.threads,
          signal,
          onEvent: draw ? pretrainProgress(stderr, `pretrain ${preset}`) : undefined,
          worldProgress: draw ? stderr : undefined,
        });
        if (out) await copyInto(r.dir, out.path, out, signal);
        return r;
      });
      const m = result.manifest;
      ctx.stdout.write(
        `${result.cached ? 'found' : 'wrote'} ${result.dir}${out ? ` (copied to ${out.path})` : ''}\n` +
          `preset ${m.preset}, seed ${m.seed}, vocab ${m.tokenizer.vocabSize} (system text ${m.tokenizer.systemTextTokens} tokens), ` +
          `${m.hyper.steps} steps × ${m.hyper.batch}, held-out caption loss ${m.initialHeldOutLoss.toFixed(3)} → ${m.heldOutLoss.toFixed(3)}` +
          `${result.cached ? '' : ` in ${result.seconds.toFixed(1)}s`}\n` +
          (m.visionWarmup ? `${visionWarmupLine(m.visionWarmup)}\n` : ''),
      );
    });
}

/** One line on the vision warm-up: its steps and what the patch heads named, before → after. */
function visionWarmupLine(w: NonNullable<BaseManifest['visionWarmup']>): string {
  const pct = (x: number) => `${Math.round(100 * x)}%`;
  const { initial, final } = w.heldOutAccuracy;
  return (
    `vision warm-up ${w.steps} steps × ${w.batch}: held-out patches named right, class ${pct(initial.class)} → ${pct(final.class)}, ` +
    `colour ${pct(initial.colour)} → ${pct(final.colour)} (${final.patches} object patches)`
  );
}

/** Copies a finished base folder to `--out` through a temp folder beside it (renamed at the end). */
async function copyInto(
  from: string,
  to: string,
  target: Parameters<typeof makeParentDirs>[0],
  signal: AbortSignal,
): Promise<void> {
  signal.throwIfAborted();
  await removeStaleTempsBeside(to);
  await makeParentDirs(target);
  const staging = tempPathBeside(to);
  try {
    await cp(from, staging, { recursive: true });
    if (target.exists) await rm(to, { recursive: true }); // checked empty above
    await rename(staging, to);
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
}
