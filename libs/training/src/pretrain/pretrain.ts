import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TrainRunner } from '@coin/autodiff';
import {
  CoinError,
  pathExists,
  removeStaleTempsBeside,
  sha256Hex,
  tempPathBeside,
  unitKey,
  writeFileAtomic,
} from '@coin/core';
import { DEFAULT_SYNTH_OPTIONS, prepareSynth, type ProgressSink } from '@coin/data';
import {
  adapterConfig,
  ByteLevelBpeTokenizer,
  initModel,
  PRESETS,
  saveBaseCheckpoint,
  saveByteLevelBpe,
  VICUNA_V1_SYSTEM,
  vlmTrainSpec,
  withVocabAndSeq,
} from '@coin/model';
import type { TensorData } from '@coin/onnx';
import { warmupCosine } from '../schedule/lr-schedule.js';
import {
  BASE_MANIFEST_FILE,
  BASE_MANIFEST_FORMAT,
  type BaseManifest,
  baseDir,
  baseKey,
  dataManifestHash,
  PRETRAIN_CODE_VERSION,
  readBaseManifest,
} from './base-store.js';
import { firstAndLastTenth, LossEvaluator } from './eval-loss.js';
import { type PresetName, type PretrainHyper, pretrainHyper } from './pretrain-defaults.js';
import { epochBatches, labelledPositions, loadPretrainSet, type PretrainItem, pretrainBatch } from './pretrain-data.js';
import { type VisionWarmupReport, warmUpVision } from './vision-warmup.js';
import { CAPTIONS_FILE } from './world-corpus.js';
import { trainWorldTokenizer } from './world-tokenizer.js';

/** What the caller hears while a base is made (the CLI draws its progress bar from these). */
export type PretrainEvent =
  | { readonly phase: 'world' | 'tokenizer' | 'load' | 'eval' }
  | {
      /** A step of the vision tower's warm-up (before captioning's 'train' steps). */
      readonly phase: 'vision';
      readonly step: number;
      readonly steps: number;
      readonly loss: number;
      readonly elapsedMs: number;
    }
  | {
      readonly phase: 'train';
      readonly step: number;
      readonly steps: number;
      readonly loss: number;
      readonly lr: number;
      readonly elapsedMs: number;
    };

export interface PretrainOptions {
  readonly preset: PresetName;
  /** The store folder (config storeDir / COIN_STORE): bases go to models/<key>/. */
  readonly storeDir: string;
  /** A prepared CoIN-Synth world; absent: the default world, generated into the store once. */
  readonly dataDir?: string;
  readonly seed?: number;
  /** Overrides of the preset's PRETRAIN_DEFAULTS (tests train a few steps). */
  readonly hyper?: Partial<PretrainHyper>;
  /** ORT intra-op threads (config runtime.threads); part of nothing the key hashes. */
  readonly threads?: number;
  readonly onEvent?: (event: PretrainEvent) => void;
  /** Where the default world's generation draws its own progress. */
  readonly worldProgress?: ProgressSink;
  readonly signal?: AbortSignal;
}

export interface PretrainResult {
  /** The base folder: model.safetensors + coin_config.json (saveBaseCheckpoint), tokenizer.json, manifest.json. */
  readonly dir: string;
  readonly key: string;
  /** True when an earlier run had made it (nothing was trained). */
  readonly cached: boolean;
  readonly manifest: BaseManifest;
  /** Wall time of this call. */
  readonly seconds: number;
}

/**
 * The base model of a preset, pretrained from scratch on a synth world: a byte-level BPE on the
 * world's text, then vision tower, projector and decoder together on pretrain/captions.jsonl
 * (LLaVA's plain captioning format, see captionSample). Deterministic from the seed; cached under
 * the store by the key of its inputs, written into a temp folder beside models/<key>/ and renamed
 * into place after manifest.json (last), so a folder either is complete or does not exist.
 */
export async function pretrainBase(options: PretrainOptions): Promise<PretrainResult> {
  const started = Date.now();
  const { seed, hyper, dataDir, dataHash, key, dir } = await resolveBase(options, true);
  const existing = await readBaseManifest(dir);
  if (existing) return { dir, key, cached: true, manifest: existing, seconds: (Date.now() - started) / 1000 };

  await mkdir(join(options.storeDir, 'models'), { recursive: true });
  await removeStaleTempsBeside(dir);
  const staging = tempPathBeside(dir);
  await mkdir(staging);
  try {
    const manifest = await pretrainInto(staging, { ...options, seed, dataDir }, hyper, key, dataHash);
    options.signal?.throwIfAborted();
    try {
      await rename(staging, dir);
    } catch (e) {
      // Another run finished the same key meanwhile: its folder is as good as ours.
      const other = await readBaseManifest(dir);
      if (!other) throw e;
      await rm(staging, { recursive: true, force: true });
    }
    return { dir, key, cached: false, manifest, seconds: (Date.now() - started) / 1000 };
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
}

/**
 * The base that pretrainBase would return for these options, if it has been made: its folder and
 * manifest, or undefined. Never trains and never generates the default world (`coin train` looks a
 * base up with this before deciding to pretrain one).
 */
export async function findBase(options: PretrainOptions): Promise<{ dir: string; manifest: BaseManifest } | undefined> {
  const resolved = await resolveBase(options, false);
  if (!resolved) return undefined;
  const manifest = await readBaseManifest(resolved.dir);
  return manifest ? { dir: resolved.dir, manifest } : undefined;
}

/** Options checked, data located and hashed, and the key and folder they give. */
async function resolveBase(
  options: PretrainOptions,
  generateWorld: true,
): Promise<{ seed: number; hyper: PretrainHyper; dataDir: string; dataHash: string; key: string; dir: string }>;
async function resolveBase(
  options: PretrainOptions,
  generateWorld: false,
): Promise<
  { seed: number; hyper: PretrainHyper; dataDir: string; dataHash: string; key: string; dir: string } | undefined
>;
async function resolveBase(options: PretrainOptions, generateWorld: boolean) {
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new CoinError(
      'PRETRAIN.BAD_OPTION',
      'INVALID_ARGUMENT',
      `seed must be an integer in [0, 4294967295], got ${seed}`,
    );
  if (!(options.preset in PRESETS))
    throw new CoinError('PRETRAIN.BAD_PRESET', 'INVALID_ARGUMENT', `unknown preset ${JSON.stringify(options.preset)}`);
  const hyper = pretrainHyper(options.preset, options.hyper);
  let dataDir = options.dataDir;
  if (dataDir === undefined) {
    if (!generateWorld && !(await pathExists(join(defaultWorldDir(options.storeDir), 'manifest.json'))))
      return undefined;
    dataDir = await defaultWorld(options);
  }
  const dataHash = await dataManifestHash(dataDir);
  if (!(await pathExists(join(dataDir, CAPTIONS_FILE))))
    throw new CoinError('PRETRAIN.NO_DATA', 'NOT_FOUND', `no pretraining corpus at ${join(dataDir, CAPTIONS_FILE)}`, {
      hint: 'a CoIN-Synth world has one (`coin prep synth --pretrain N`)',
    });
  const key = baseKey({
    preset: options.preset,
    model: PRESETS[options.preset],
    seed,
    data: dataHash,
    hyper: { ...hyper },
  });
  return { seed, hyper, dataDir, dataHash, key, dir: baseDir(options.storeDir, key) };
}

async function pretrainInto(
  out: string,
  options: PretrainOptions & { seed: number; dataDir: string },
  hyper: PretrainHyper,
  key: string,
  dataHash: string,
): Promise<BaseManifest> {
  const { seed, dataDir, onEvent, signal } = options;
  const preset = PRESETS[options.preset];
  onEvent?.({ phase: 'tokenizer' });
  const bpe = await trainWorldTokenizer(dataDir, preset.decoder.vocab);
  const tokenizer = new ByteLevelBpeTokenizer(bpe);
  await saveByteLevelBpe(out, bpe);
  const tokenizerHash = sha256Hex(await readFile(join(out, 'tokenizer.json')));
  const config = withVocabAndSeq(preset, tokenizer.vocabSize);

  onEvent?.({ phase: 'load' });
  const set = await loadPretrainSet(dataDir, tokenizer, config, seed, hyper.heldOutFraction);
  let weights = initModel(config, seed);
  let visionWarmup: VisionWarmupReport | undefined;
  if (hyper.visionWarmupSteps > 0) {
    const warmStarted = Date.now();
    const warm = await warmUpVision({
      config,
      weights,
      seed,
      hyper: { steps: hyper.visionWarmupSteps, batch: hyper.visionWarmupBatch, lr: hyper.visionWarmupLr },
      threads: options.threads,
      signal,
      onStep: (step, loss) =>
        onEvent?.({ phase: 'vision', step, steps: hyper.visionWarmupSteps, loss, elapsedMs: Date.now() - warmStarted }),
    });
    weights = warm.weights;
    visionWarmup = warm.report;
  }
  const adapter = adapterConfig({ kind: 'full', trainVision: true });
  const spec = vlmTrainSpec({ config, weights, adapter, batch: hyper.batch, seq: set.seq });
  const dims = new Map(spec.trainable.map((p) => [p.name, p.dims]));
  const runner = await TrainRunner.create(spec, { threads: options.threads });
  const evaluator = await LossEvaluator.create(spec, { threads: options.threads });
  try {
    runner.setParams(
      Object.fromEntries(spec.trainable.map((p) => [p.name, weights.get(p.name)!.data as Float32Array])),
    );
    // `blind`: the same captions with every image blanked, so the gap to the real loss is what
    // the model reads from the pixels (not just caption statistics).
    const heldOutLoss = async (blind = false): Promise<number> => {
      onEvent?.({ phase: 'eval' });
      const params = runner.getParams();
      let sum = 0;
      let count = 0;
      for (let i = 0; i < set.heldOut.length; i += hyper.batch) {
        const items = set.heldOut
          .slice(i, i + hyper.batch)
          .map((it) => (blind && it.pixels ? { ...it, pixels: new Float32Array(it.pixels.length) } : it));
        const positions = labelledPositions(items);
        const feeds = pretrainBatch(items, hyper.batch, set.seq, config, tokenizer.padId);
        sum += (await evaluator.loss(feeds, params, dims)) * positions;
        count += positions;
      }
      return sum / count;
    };
    const initialHeldOutLoss = await heldOutLoss();
    const schedule = warmupCosine({
      totalSteps: hyper.steps,
      warmupRatio: hyper.warmupRatio,
      peak: { default: hyper.lr },
    });
    const losses: number[] = [];
    const batches = epochBatches(set.train, hyper.batch, seed);
    const trainStarted = Date.now();
    for (let step = 1; step <= hyper.steps; step++) {
      signal?.throwIfAborted();
      const items: PretrainItem[] = batches.next().value as PretrainItem[];
      const lr = schedule.rateAt(step).default;
      const { loss } = await runner.step(pretrainBatch(items, hyper.batch, set.seq, config, tokenizer.padId), lr);
      if (!Number.isFinite(loss))
        throw new CoinError('PRETRAIN.DIVERGED', 'INTERNAL', `the loss is ${loss} at step ${step}`, {
          hint: 'lower the learning rate',
        });
      losses.push(loss);
      onEvent?.({ phase: 'train', step, steps: hyper.steps, loss, lr, elapsedMs: Date.now() - trainStarted });
    }
    const finalHeldOutLoss = await heldOutLoss();
    const blindHeldOutLoss = await heldOutLoss(true);
    const trained = runner.getParams();
    const finalWeights = new Map<string, TensorData>(
      [...weights].map(([name, t]) => [name, trained[name] ? { ...t, data: trained[name] } : t]),
    );
    await saveBaseCheckpoint(out, config, finalWeights);
    const manifest: BaseManifest = {
      format: BASE_MANIFEST_FORMAT,
      key,
      codeVersion: PRETRAIN_CODE_VERSION,
      preset: options.preset,
      seed,
      dataHash,
      tokenizer: {
        sha256: tokenizerHash,
        vocabSize: tokenizer.vocabSize,
        systemTextTokens: tokenizer.encode(VICUNA_V1_SYSTEM).length,
      },
      hyper: { ...hyper },
      seq: set.seq,
      samples: { train: set.train.length, heldOut: set.heldOut.length, truncated: set.truncated },
      heldOutLoss: finalHeldOutLoss,
      initialHeldOutLoss,
      blindHeldOutLoss,
      trainLoss: firstAndLastTenth(losses),
      ...(visionWarmup ? { visionWarmup } : {}),
    };
    await writeFileAtomic(join(out, BASE_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } finally {
    await Promise.all([runner.release(), evaluator.release()]);
  }
}

/**
 * The default CoIN-Synth world (DEFAULT_SYNTH_OPTIONS), generated into the store once under the key
 * of its options: data/synth-<key>/. prepareSynth writes it beside and renames it into place.
 */
async function defaultWorld(options: PretrainOptions): Promise<string> {
  const dir = defaultWorldDir(options.storeDir);
  if (await pathExists(join(dir, 'manifest.json'))) return dir;
  options.onEvent?.({ phase: 'world' });
  await mkdir(join(options.storeDir, 'data'), { recursive: true });
  await prepareSynth(dir, DEFAULT_SYNTH_OPTIONS, { progress: options.worldProgress, signal: options.signal });
  return dir;
}

function defaultWorldDir(storeDir: string): string {
  const key = unitKey({ kind: 'coin-synth', options: DEFAULT_SYNTH_OPTIONS }, 'coin-synth-v1');
  return join(storeDir, 'data', `synth-${key.slice(0, 16)}`);
}
