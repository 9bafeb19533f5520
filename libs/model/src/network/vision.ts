import { attention, geluErf, layerNorm, mergeHeads, splitHeads } from '@coin/autodiff';
import { attr, type Value } from '@coin/onnx';
import { imageTokens, type VisionConfig } from './config.js';
import { type ForwardContext, linear } from './linear.js';

/** Internal weight names of the vision tower (linear weights stored [in, out]). */
export const visionNames = {
  patch: 'vision.patch_embed.weight', // [3·p·p, Dv], a MatMul over flattened patches (CLIP's conv has no bias)
  cls: 'vision.class_embed', // [Dv]
  pos: 'vision.pos_embed', // [N + 1, Dv]
  preNorm: 'vision.pre_norm', // .weight / .bias
  ln1: (l: number) => `vision.layers.${l}.ln1`,
  ln2: (l: number) => `vision.layers.${l}.ln2`,
  attn: (l: number, t: 'q' | 'k' | 'v' | 'o') => `vision.layers.${l}.attn.${t}`,
  fc1: (l: number) => `vision.layers.${l}.mlp.fc1`,
  fc2: (l: number) => `vision.layers.${l}.mlp.fc2`,
};

/** How many blocks must run to produce hidden_states[selectLayer] (HF counts the embeddings as state 0). */
export function visionBlocksToRun(v: VisionConfig): number {
  const states = v.layers + 1;
  const index = v.selectLayer < 0 ? states + v.selectLayer : v.selectLayer;
  if (index < 0 || index >= states)
    throw new Error(`vision selectLayer ${v.selectLayer} is out of range for ${v.layers} layers`);
  return index;
}

/**
 * ViT features as LLaVA takes them: pixels [B, 3, S, S] (normalised) → patch tokens [B, N, Dv]
 * from the output of block `selectLayer` (−2: the second-to-last), CLS dropped. Later blocks are
 * not built at all.
 */
export function visionForward(ctx: ForwardContext, v: VisionConfig, pixels: Value): Value {
  const { b, w } = ctx;
  return b.scope('vision', () => {
    const batch = (pixels.shape as number[])[0];
    const g = v.imageSize / v.patch;
    const n = imageTokens(v);
    const grid = b.op('Reshape', [pixels, b.i64([batch, 3, g, v.patch, g, v.patch])]); // [B, 3, g, p, g, p]
    const patches = b.op('Reshape', [
      b.op('Transpose', [grid], { perm: attr.ints([0, 2, 4, 1, 3, 5]) }),
      b.i64([batch, n, 3 * v.patch * v.patch]),
    ]); // [B, N, 3pp]
    const tokens = b.op('MatMul', [patches, w.get(visionNames.patch)]); // [B, N, Dv]
    const cls = b.op('Expand', [
      b.op('Reshape', [w.get(visionNames.cls), b.i64([1, 1, v.dim])]),
      b.i64([batch, 1, v.dim]),
    ]); // [B, 1, Dv]
    let x = b.op('Add', [b.op('Concat', [cls, tokens], { axis: attr.int(1) }), w.get(visionNames.pos)]); // [B, N+1, Dv]
    x = layerNorm(b, x, w.get(`${visionNames.preNorm}.weight`), w.get(`${visionNames.preNorm}.bias`), v.normEps);
    for (let l = 0; l < visionBlocksToRun(v); l++) {
      x = b.scope(`block${l}`, () => {
        const h = layerNorm(
          b,
          x,
          w.get(`${visionNames.ln1(l)}.weight`),
          w.get(`${visionNames.ln1(l)}.bias`),
          v.normEps,
        );
        const heads = (t: 'q' | 'k' | 'v') => splitHeads(b, linear(ctx, h, visionNames.attn(l, t)), v.heads);
        const att = mergeHeads(b, attention(b, heads('q'), heads('k'), heads('v'), { causal: false }));
        const x1 = b.op('Add', [x, linear(ctx, att, visionNames.attn(l, 'o'))]);
        const h2 = layerNorm(
          b,
          x1,
          w.get(`${visionNames.ln2(l)}.weight`),
          w.get(`${visionNames.ln2(l)}.bias`),
          v.normEps,
        );
        return b.op('Add', [x1, linear(ctx, geluErf(b, linear(ctx, h2, visionNames.fc1(l))), visionNames.fc2(l))]);
      });
    }
    return b.op('Slice', [x, b.i64([1]), b.i64([n + 1]), b.i64([1])]); // [B, N, Dv]
  });
}

/** LLaVA's mlp2x_gelu projector: Linear(Dv → C) → GELU → Linear(C → C), with biases. */
export function projectorForward(ctx: ForwardContext, features: Value): Value {
  return ctx.b.scope('projector', () =>
    linear(ctx, geluErf(ctx.b, linear(ctx, features, 'projector.0')), 'projector.2'),
  );
}
