import { crossEntropy, type TrainGraphSpec } from '@coin/autodiff';
import { Rng } from '@coin/core';
import { tensor, type TensorData, type Value } from '@coin/onnx';
import { adapterConfig } from './adapters.js';
import { imageTokens, type ModelConfig } from './config.js';
import { trainableParams } from './lm-train.js';
import { type ForwardContext, linear } from './linear.js';
import { visionForward } from './vision.js';
import { WeightSource } from './weights.js';

/** Batch inputs of the vision warm-up graph. */
export const WARMUP_INPUTS = {
  pixels: 'pixel_values', // [B, 3, S, S] float32, CLIP-normalised (as the VLM takes them)
  classes: 'patch_class', // [B, N] int64: 0 = background, 1 + the class's index
  colours: 'patch_colour', // [B, N] int64: 0 = background, 1 + the colour's index
} as const;

/** The two linear heads on the patch tokens; they exist only during the warm-up. */
export const WARMUP_HEADS = { class: 'warmup.class_head', colour: 'warmup.colour_head' } as const;

export interface VisionWarmupOptions {
  readonly config: ModelConfig;
  /** The vision tower's weights and the heads' (visionWarmupHeads); all of them train. */
  readonly weights: ReadonlyMap<string, TensorData>;
  readonly batch: number;
}

/** Label counts of the heads: background plus the world's classes, and plus its colours. */
export interface WarmupLabels {
  readonly classes: number;
  readonly colours: number;
}

/**
 * The heads' initial weights ([Dv, K] N(0, 0.02), zero bias), drawn from the seed: `classes`
 * and `colours` count the labels including background.
 */
export function visionWarmupHeads(config: ModelConfig, labels: WarmupLabels, seed: number): Map<string, TensorData> {
  const rng = Rng.for(seed, 'vision-warmup-heads');
  const dv = config.vision.dim;
  const head = (k: number): [TensorData, TensorData] => {
    const w = new Float32Array(dv * k);
    for (let i = 0; i < w.length; i++) w[i] = rng.normal() * 0.02;
    return [tensor('float32', [dv, k], w), tensor('float32', [k], new Float32Array(k))];
  };
  const [cw, cb] = head(labels.classes);
  const [kw, kb] = head(labels.colours);
  return new Map([
    [`${WARMUP_HEADS.class}.weight`, cw],
    [`${WARMUP_HEADS.class}.bias`, cb],
    [`${WARMUP_HEADS.colour}.weight`, kw],
    [`${WARMUP_HEADS.colour}.bias`, kb],
  ]);
}

/**
 * The vision tower's warm-up step (the role CLIP's own pretraining plays for LLaVA): every patch
 * token the VLM would take (block `selectLayer`'s output) predicts, through a linear head each,
 * the class and the colour of the object under the patch's centre. The loss is the sum of the two
 * mean cross-entropies over all patches. Dense labels give the tower tens of signals per image,
 * where a caption gives a few, and the tower alone is cheap to run: so it learns what things look
 * like in a fraction of the time captioning through the decoder takes.
 */
export function visionWarmupSpec(o: VisionWarmupOptions): TrainGraphSpec {
  const { config, batch } = o;
  const v = config.vision;
  const n = imageTokens(v);
  return {
    name: `${config.name}_vision_warmup`,
    // Every weight given trains: the tower (trainVision) and the heads, decay on matrices only.
    trainable: trainableParams(o.weights, adapterConfig({ kind: 'full', trainVision: true })),
    forward: (b, params) => {
      const ctx: ForwardContext = { b, w: new WeightSource(b, o.weights, params) };
      const classes = b.input(WARMUP_INPUTS.classes, 'int64', [batch, n]);
      const colours = b.input(WARMUP_INPUTS.colours, 'int64', [batch, n]);
      const logits = warmupPatchLogits(ctx, config, batch);
      const loss = (head: Value, labels: Value): Value =>
        crossEntropy(b, b.op('Reshape', [head, b.i64([batch * n, -1])]), b.op('Reshape', [labels, b.i64([-1])]));
      return b.op('Add', [loss(logits.classes, classes), loss(logits.colours, colours)]);
    },
  };
}

/**
 * The heads' logits on every patch token: declares the pixel input [B, 3, S, S] and returns class
 * logits [B, N, classes] and colour logits [B, N, colours].
 */
export function warmupPatchLogits(
  ctx: ForwardContext,
  config: ModelConfig,
  batch: number,
): { classes: Value; colours: Value } {
  const v = config.vision;
  const pixels = ctx.b.input(WARMUP_INPUTS.pixels, 'float32', [batch, 3, v.imageSize, v.imageSize]);
  const tokens = visionForward(ctx, v, pixels); // [B, N, Dv]
  return { classes: linear(ctx, tokens, WARMUP_HEADS.class), colours: linear(ctx, tokens, WARMUP_HEADS.colour) };
}
