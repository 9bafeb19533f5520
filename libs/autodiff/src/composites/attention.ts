import { attr, type Dim, type DType, type GraphBuilder, tensor, type Value } from '@coin/onnx';
import { castTo, scalarLike } from '../helpers.js';

/** Large negative instead of −∞: a fully masked row then stays finite, not NaN. */
const MASKED = -1e9;

/**
 * A boolean mask as an additive score bias of `dtype`: 0 where `allowed`, a large
 * negative elsewhere. Added to the scores, it gives the softmax a Where over them would (MASKED
 * absorbs any score under 32 in magnitude, and a masked key's weight is exactly 0 either way), and
 * ORT adds with broadcasting over the heads much faster than it selects (paired 1.02 on batch-32
 * generation, whose prefill runs attention).
 */
export function maskBias(b: GraphBuilder, allowed: Value, dtype: DType): Value {
  return b.op('Where', [allowed, b.scalar(dtype, 0), b.scalar(dtype, MASKED)]);
}

/** [B, T, C] → [B, H, T, D]. */
export function splitHeads(b: GraphBuilder, x: Value, heads: number): Value {
  const [, , c] = x.shape as number[];
  const r = b.op('Reshape', [x, b.i64([0, 0, heads, c / heads])]); // [B, T, H, D]
  return b.op('Transpose', [r], { perm: attr.ints([0, 2, 1, 3]) });
}

/** [B, H, T, D] → [B, T, C]. */
export function mergeHeads(b: GraphBuilder, x: Value): Value {
  const [, h, , d] = x.shape as number[];
  const t = b.op('Transpose', [x], { perm: attr.ints([0, 2, 1, 3]) }); // [B, T, H, D]
  return b.op('Reshape', [t, b.i64([0, 0, h * d])]);
}

/** A [T, S] boolean constant: query t may see key s when s ≤ t + offset. */
function causalMask(b: GraphBuilder, queries: number, keys: number): Value {
  const offset = keys - queries;
  const allowed = Array.from({ length: queries * keys }, (_, i) => (i % keys <= Math.floor(i / keys) + offset ? 1 : 0));
  return b.constant(tensor('bool', [queries, keys], allowed), 'causal_mask', `causal:${queries}x${keys}`);
}

/**
 * The same mask for a length T known only at run time (the length of axis 2 of `like`): [T, T],
 * or [T, leading + T] when `leading` keys come before the queries' own and every query sees them
 * (`keys`: that second dimension's name, for shape inference).
 */
function dynamicCausalMask(b: GraphBuilder, like: Value, leading = 0, keys: Dim = 'keys'): Value {
  const len1 = b.op('Shape', [like], { start: attr.int(2), end: attr.int(3) }); // [1]: T
  const len = b.op('Squeeze', [len1, b.i64([0])]); // scalar T
  const range = b.op('Range', [
    b.constant(tensor('int64', [], [0]), 'zero_i64'),
    len,
    b.constant(tensor('int64', [], [1]), 'one_i64'),
  ]); // [T]
  const own = b.op('LessOrEqual', [b.op('Unsqueeze', [range, b.i64([0])]), b.op('Unsqueeze', [range, b.i64([1])])]); // [T, T]: key ≤ query
  if (leading === 0) return own;
  const seen = b.op('Expand', [
    b.constant(tensor('bool', [1, 1], [1]), 'true_1x1'),
    b.op('Concat', [len1, b.i64([leading])], { axis: attr.int(0) }),
  ]); // [T, leading]
  return b.op(
    'Concat',
    [seen, own],
    { axis: attr.int(1) },
    { types: [{ dtype: 'bool', shape: [(like.shape as Dim[])[2], keys] }] },
  ); // [T, leading + T]
}

export interface AttentionOptions {
  /** Causal masking (decoder); off for the vision encoder. */
  readonly causal: boolean;
  /** [B, S] key padding mask, 1 = real token, 0 = padding (int64 or bool). */
  readonly keyPadding?: Value;
  /** Score scale; default 1/√D. 1 for queries already scaled (e.g. folded into their weights). */
  readonly scale?: number;
  /**
   * With `causal`: how many keys come before the queries' own (a prompt prefix whose keys were
   * computed elsewhere). Every query sees them; query t then sees its own keys up to t. Default 0.
   * Without `causal` every query sees every (unpadded) key anyway, and this is not used.
   */
  readonly leadingKeys?: number;
}

/**
 * Scaled dot-product attention on [B, H, T, D] queries and [B, H, S, D] keys/values, built from
 * primitives: softmax(q·kᵀ/√D masked)·v → [B, H, T, D].
 */
export function attention(b: GraphBuilder, q: Value, k: Value, v: Value, options: AttentionOptions): Value {
  const [, , t, d] = q.shape as number[];
  const s = (k.shape as number[])[2];
  if (typeof d !== 'number') throw new Error('attention: the head dimension must be static');
  const kT = b.op('Transpose', [k], { perm: attr.ints([0, 1, 3, 2]) }); // [B, H, D, S]
  const scale = options.scale ?? 1 / Math.sqrt(d);
  const raw = b.op('MatMul', [q, kT]);
  let scores = scale === 1 ? raw : b.op('Mul', [raw, scalarLike(b, q, scale)]); // [B, H, T, S]
  const staticLengths = typeof t === 'number' && typeof s === 'number';
  const leading = options.leadingKeys ?? 0;
  if (!Number.isInteger(leading) || leading < 0)
    throw new Error(`attention: leadingKeys must be a whole number ≥ 0, got ${leading}`);
  if (options.causal && leading > 0 && !staticLengths && t === s)
    throw new Error(`attention: ${leading} leading keys, but keys and queries share the length ${String(t)}`);
  if (staticLengths && options.causal && options.leadingKeys !== undefined && s - t !== leading)
    throw new Error(`attention: ${s} keys for ${t} queries need leadingKeys ${s - t}, got ${leading}`);
  if (!staticLengths && options.causal && leading === 0 && t !== s)
    throw new Error(
      'attention: causal masking with run-time lengths needs queries and keys of one length (or leadingKeys)',
    );
  let allowed: Value | undefined = options.causal
    ? staticLengths
      ? causalMask(b, t, s)
      : dynamicCausalMask(b, q, leading, s)
    : undefined; // [T, S]
  if (options.keyPadding) {
    const pad = castTo(b, options.keyPadding, 'bool');
    const padMask = b.op('Unsqueeze', [pad, b.i64([1, 2])]); // [B, 1, 1, S]
    allowed = allowed ? b.op('And', [allowed, padMask]) : padMask;
  }
  if (allowed) scores = b.op('Add', [scores, maskBias(b, allowed, q.dtype)]);
  const probs = b.op('Softmax', [scores], { axis: attr.int(-1) });
  return b.op('MatMul', [probs, v]); // [B, H, T, D]
}
