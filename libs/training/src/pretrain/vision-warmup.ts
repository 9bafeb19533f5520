import { TrainRunner } from '@coin/autodiff';
import { CoinError, Rng } from '@coin/core';
import { PATCH_LABELS, patchScene, preprocessRgb } from '@coin/data';
import { imageTokens, type ModelConfig, visionWarmupHeads, visionWarmupSpec, WARMUP_INPUTS } from '@coin/model';
import type { TensorData } from '@coin/onnx';
import type { HostTensor } from '@coin/runtime';
import { warmupCosine } from '../schedule/lr-schedule.js';
import { firstAndLastTenth, LossEvaluator } from './eval-loss.js';
import { type PatchAccuracy, PatchScorer } from './patch-accuracy.js';

/** How the vision tower is warmed up before captioning (0 steps: no warm-up). */
export interface VisionWarmupHyper {
  readonly steps: number;
  /** Images per step. */
  readonly batch: number;
  readonly lr: number;
}

/** What the warm-up recorded (the base's manifest keeps it; no timings, so equal inputs give equal bytes). */
export interface VisionWarmupReport {
  readonly steps: number;
  readonly batch: number;
  readonly lr: number;
  /** Held-out loss (class + colour cross-entropy per patch) before and after. */
  readonly heldOutLoss: { readonly initial: number; readonly final: number };
  readonly trainLoss: { readonly first: number; readonly last: number };
  /** Held-out patches on an object whose class and colour the heads name, before and after. */
  readonly heldOutAccuracy: { readonly initial: PatchAccuracy; readonly final: PatchAccuracy };
}

export interface VisionWarmupOptions {
  readonly config: ModelConfig;
  /** The model's weights; the vision tower's are the ones read and replaced. */
  readonly weights: ReadonlyMap<string, TensorData>;
  readonly seed: number;
  readonly hyper: VisionWarmupHyper;
  readonly threads?: number;
  readonly signal?: AbortSignal;
  readonly onStep?: (step: number, loss: number) => void;
}

/** Held-out images: this many batches, drawn from a stream of their own. */
const HELD_OUT_BATCHES = 4;

/**
 * Trains the vision tower alone on labelled scenes (visionWarmupSpec): fresh images every step,
 * rendered from the seed, so nothing is memorised. Returns the weights with the tower's replaced;
 * the heads are dropped, as CLIP's are.
 */
export async function warmUpVision(
  o: VisionWarmupOptions,
): Promise<{ weights: Map<string, TensorData>; report: VisionWarmupReport }> {
  const { config, seed, hyper } = o;
  const tower = new Map([...o.weights].filter(([name]) => name.startsWith('vision.')));
  const heads = visionWarmupHeads(config, PATCH_LABELS, seed);
  const spec = visionWarmupSpec({ config, weights: new Map([...tower, ...heads]), batch: hyper.batch });
  const dims = new Map(spec.trainable.map((p) => [p.name, p.dims]));
  const runner = await TrainRunner.create(spec, { threads: o.threads });
  const evaluator = await LossEvaluator.create(spec, { threads: o.threads });
  const scorer = await PatchScorer.create(spec, config, hyper.batch, { threads: o.threads });
  try {
    runner.setParams(
      Object.fromEntries(
        spec.trainable.map((p) => [p.name, (tower.get(p.name) ?? heads.get(p.name))!.data as Float32Array]),
      ),
    );
    const heldOut: Record<string, HostTensor>[] = [];
    for (let i = 0; i < HELD_OUT_BATCHES; i++)
      heldOut.push(sceneBatch(config, hyper.batch, Rng.for(seed, 'vision-warmup-held-out', i)));
    const heldOutLoss = async (): Promise<number> => {
      const params = runner.getParams();
      let sum = 0;
      for (const feeds of heldOut) sum += await evaluator.loss(feeds, params, dims);
      return sum / heldOut.length;
    };
    const initial = await heldOutLoss();
    const initialAccuracy = await scorer.accuracy(heldOut, runner.getParams());
    const schedule = warmupCosine({ totalSteps: hyper.steps, warmupRatio: 0.03, peak: { default: hyper.lr } });
    const losses: number[] = [];
    for (let step = 1; step <= hyper.steps; step++) {
      o.signal?.throwIfAborted();
      const feeds = sceneBatch(config, hyper.batch, Rng.for(seed, 'vision-warmup', step));
      const { loss } = await runner.step(feeds, schedule.rateAt(step).default);
      if (!Number.isFinite(loss))
        throw new CoinError('PRETRAIN.DIVERGED', 'INTERNAL', `the vision warm-up's loss is ${loss} at step ${step}`, {
          hint: 'lower the warm-up learning rate',
        });
      losses.push(loss);
      o.onStep?.(step, loss);
    }
    const final = await heldOutLoss();
    const trained = runner.getParams();
    const finalAccuracy = await scorer.accuracy(heldOut, trained);
    const weights = new Map(
      [...o.weights].map(([name, t]) => [name, tower.has(name) ? { ...t, data: trained[name] } : t] as const),
    );
    return {
      weights,
      report: {
        ...hyper,
        heldOutLoss: { initial, final },
        heldOutAccuracy: { initial: initialAccuracy, final: finalAccuracy },
        trainLoss: firstAndLastTenth(losses),
      },
    };
  } finally {
    await Promise.all([runner.release(), evaluator.release(), scorer.release()]);
  }
}

/** A batch of labelled scenes, preprocessed as the VLM's images are (pad mode, CLIP-normalised). */
function sceneBatch(config: ModelConfig, batch: number, rng: Rng): Record<string, HostTensor> {
  const size = config.vision.imageSize;
  const grid = size / config.vision.patch;
  const n = imageTokens(config.vision);
  const plane = 3 * size * size;
  const pixels = new Float32Array(batch * plane);
  const classes = new BigInt64Array(batch * n);
  const colours = new BigInt64Array(batch * n);
  for (let i = 0; i < batch; i++) {
    const scene = patchScene(rng, size, grid);
    pixels.set(preprocessRgb(scene.rgb, { size, mode: 'pad' }), i * plane);
    for (let j = 0; j < n; j++) {
      classes[i * n + j] = BigInt(scene.classes[j]);
      colours[i * n + j] = BigInt(scene.colours[j]);
    }
  }
  return {
    [WARMUP_INPUTS.pixels]: { dtype: 'float32', dims: [batch, 3, size, size], data: pixels },
    [WARMUP_INPUTS.classes]: { dtype: 'int64', dims: [batch, n], data: classes },
    [WARMUP_INPUTS.colours]: { dtype: 'int64', dims: [batch, n], data: colours },
  };
}
