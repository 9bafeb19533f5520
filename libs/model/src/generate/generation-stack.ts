import { applyRotary, mergeHeads, rmsNorm, silu, splitHeads } from '@coin/autodiff';
import { attr, type GraphBuilder, type TensorData, tensor, type Value } from '@coin/onnx';
import { internalNames, type LinearName } from '../internal-names.js';
import { type DecoderConfig, headDim } from '../network/config.js';
import type { AdapterConfig } from '../network/adapters.js';
import type { LayerAttend, Rope } from '../network/decoder.js';
import { type ForwardContext, linear } from '../network/linear.js';
import { lastAlong } from '../network/last-position.js';

/**
 * The decoder stack of the cached generation graphs (prefill and decode steps), shaped for
 * inference: q, k and v come from one [B, T, 3C] projection with q pre-scaled by s = 1/√D,
 * rotary turns q and k together, and the residual adds run inside ORT's
 * SkipSimplifiedLayerNormalization. With merged float32 weights and no biases the projection is
 * one MatMul by [Wq·s | Wk | Wv], packed on the host once per generator (graph-only names, never
 * written to a checkpoint); with an unmerged adapter (LoRA, MoELoRA) or q/k/v biases it is the three
 * projections with their adapters, concatenated. Gate and up stay two MatMuls: one MatMul by
 * [Wgate | Wup] needs a Split of its product that costs more than it saves. The recompute
 * reference runs the training forward's decoderStack instead.
 */
export const PACKED_NAMES = {
  qkv: (layer: number): string => `decode.layers.${layer}.qkv`,
};

/** Whether q, k and v can be one MatMul by packed weights: merged float32 weights, no biases on them. */
export function canPackQkv(
  cfg: DecoderConfig,
  weights: ReadonlyMap<string, TensorData>,
  adapter?: AdapterConfig,
): boolean {
  if (adapter && adapter.kind !== 'full') return false;
  for (let l = 0; l < cfg.layers; l++) {
    for (const t of ['q', 'k', 'v'] as const) {
      if (
        weights.has(`${internalNames.linear(l, t)}.bias`) ||
        weights.get(internalNames.linearWeight(l, t))?.dtype !== 'float32'
      )
        return false;
    }
  }
  return true;
}

/** Concatenates [rows, n_i] float32 matrices along columns, each times its scale (default 1). */
function concatColumns(rows: number, parts: ReadonlyArray<{ w: TensorData; scale?: number }>): TensorData {
  const total = parts.reduce((n, p) => n + p.w.dims[1], 0);
  const out = new Float32Array(rows * total);
  let offset = 0;
  for (const { w, scale = 1 } of parts) {
    const cols = w.dims[1];
    const src = w.data as Float32Array;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) out[r * total + offset + c] = src[r * cols + c] * scale;
    }
    offset += cols;
  }
  return tensor('float32', [rows, total], out);
}

/** The packed [Wq·s | Wk | Wv] of every layer, from merged float32 weights. */
export function packQkvWeights(cfg: DecoderConfig, weights: ReadonlyMap<string, TensorData>): Map<string, TensorData> {
  const s = 1 / Math.sqrt(headDim(cfg));
  const get = (l: number, t: LinearName) => {
    const w = weights.get(internalNames.linearWeight(l, t));
    if (!w || w.dtype !== 'float32')
      throw new Error(`packing q, k and v needs float32 ${internalNames.linearWeight(l, t)}`);
    return w;
  };
  const packed = new Map<string, TensorData>();
  for (let l = 0; l < cfg.layers; l++) {
    packed.set(
      PACKED_NAMES.qkv(l),
      concatColumns(cfg.dim, [{ w: get(l, 'q'), scale: s }, { w: get(l, 'k') }, { w: get(l, 'v') }]),
    );
  }
  return packed;
}

/** x + skip, then RMSNorm·gamma, as ORT's SkipSimplifiedLayerNormalization: [normed, sum]. */
function skipNorm(b: GraphBuilder, x: Value, skip: Value, gamma: Value, eps: number): { normed: Value; sum: Value } {
  const [normed, , , sum] = b.opN(
    'SkipSimplifiedLayerNormalization',
    [x, skip, gamma],
    4,
    { epsilon: attr.float(eps) },
    {
      domain: 'com.microsoft',
      types: [
        { dtype: x.dtype, shape: x.shape },
        { dtype: 'float32', shape: null },
        { dtype: 'float32', shape: null },
        { dtype: x.dtype, shape: x.shape },
      ],
    },
  );
  return { normed, sum };
}

/**
 * Rotary by ORT's com.microsoft RotaryEmbedding kernel (one node where the graph form takes four):
 * each token's position [B, T] into the tables' first halves [maxSeq, D/2].
 */
export interface KernelRope {
  readonly positions: Value;
  readonly cos: Value;
  readonly sin: Value;
}

/** q and k [B, 2H, T, D] rotated in one go, in the graph or by the kernel. */
function rotate(b: GraphBuilder, qk: Value, rope: Rope | KernelRope): Value {
  if (!('positions' in rope)) return applyRotary(b, qk, rope);
  return b.op(
    'RotaryEmbedding',
    [qk, rope.positions, rope.cos, rope.sin],
    { interleaved: attr.int(0) },
    { domain: 'com.microsoft', types: [{ dtype: qk.dtype, shape: qk.shape }] },
  );
}

/**
 * How a layer attends. `rope` + `attend`: q (pre-scaled), k and v are split into heads
 * [B, H, T, D] and rotated (graph ops or the rotary kernel), and `attend` returns [B, H, Tq, D].
 * `packed` (single-token steps only): the projection [B, 1, 3C] = [q·s | k | v] goes to one
 * kernel that rotates, caches and attends, returning [B, 1, C].
 */
export type StackAttention =
  | { readonly rope: Rope | KernelRope; readonly attend: LayerAttend }
  | { readonly packed: (layer: number, qkv: Value) => Value };

export interface StackOptions {
  /** One token per sample (decoding: [B, 1, C], heads by Reshape alone) or a whole prompt. */
  readonly singleToken: boolean;
  /** Finish the last layer for the last position only (prefill: its keys and values still cover every position). */
  readonly lastOnly?: boolean;
}

/** [q·s | k | v] of layer l, [B, T, 3C]: one MatMul by the packed weights when the context holds them. */
function projectQkv(ctx: ForwardContext, cfg: DecoderConfig, l: number, x: Value): Value {
  const { b, w } = ctx;
  if (w.has(PACKED_NAMES.qkv(l))) return b.op('MatMul', [x, w.get(PACKED_NAMES.qkv(l))]);
  const project = (t: LinearName) => linear(ctx, x, internalNames.linear(l, t), t);
  const q = b.op('Mul', [project('q'), b.scalar(x.dtype, 1 / Math.sqrt(headDim(cfg)))]);
  return b.op('Concat', [q, project('k'), project('v')], { axis: attr.int(-1) });
}

/**
 * The generation stack: embeddings x [B, T, C] → final-norm hidden [B, T, C] (or [B, 1, C] with
 * lastOnly). Per layer: the [q·s | k | v] projection, then attention (see StackAttention; q is
 * [B, H, 1, D] in a lastOnly final layer), the residual add fused into the next norm.
 */
export function generationStack(
  ctx: ForwardContext,
  cfg: DecoderConfig,
  x: Value,
  attention: StackAttention,
  o: StackOptions,
): Value {
  if ('packed' in attention && (!o.singleToken || o.lastOnly))
    throw new Error('packed attention runs single-token steps only (no lastOnly)');
  const { b, w } = ctx;
  const H = cfg.heads;
  const D = headDim(cfg);
  let residual = x;
  let normed = rmsNorm(b, x, w.get(internalNames.attnNorm(0)), cfg.normEps);
  for (let l = 0; l < cfg.layers; l++) {
    ({ residual, normed } = b.scope(`layer${l}`, () => {
      const project = (t: 'o' | 'gate' | 'up' | 'down', input: Value) =>
        linear(ctx, input, internalNames.linear(l, t), t);
      const qkv = projectQkv(ctx, cfg, l, normed); // [B, T, 3C]
      const finalOnly = o.lastOnly === true && l === cfg.layers - 1;
      let att: Value; // [B, Tq, C]
      if ('packed' in attention) {
        att = attention.packed(l, qkv);
      } else {
        const heads = o.singleToken ? b.op('Reshape', [qkv, b.i64([0, 3 * H, 1, D])]) : splitHeads(b, qkv, 3 * H); // [B, 3H, T, D]
        const [qk, v] = b.opN('Split', [heads, b.i64([2 * H, H])], 2, { axis: attr.int(1) });
        const [q, k] = b.opN('Split', [rotate(b, qk, attention.rope), b.i64([H, H])], 2, { axis: attr.int(1) });
        const heardFrom = attention.attend(l, finalOnly ? lastAlong(b, q, 2) : q, k, v); // [B, H, Tq, D]
        att =
          o.singleToken || finalOnly ? b.op('Reshape', [heardFrom, b.i64([0, 1, cfg.dim])]) : mergeHeads(b, heardFrom);
      }
      const into = finalOnly ? lastAlong(b, residual, 1) : residual;
      const afterAttention = skipNorm(b, into, project('o', att), w.get(internalNames.ffnNorm(l)), cfg.normEps);
      const gated = b.op('Mul', [
        silu(b, project('gate', afterAttention.normed)),
        project('up', afterAttention.normed),
      ]);
      const nextGamma = l + 1 < cfg.layers ? internalNames.attnNorm(l + 1) : internalNames.norm;
      const next = skipNorm(b, afterAttention.sum, project('down', gated), w.get(nextGamma), cfg.normEps);
      return { residual: next.sum, normed: next.normed };
    }));
  }
  return normed;
}
