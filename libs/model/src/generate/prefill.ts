import { attention, type RotaryTables, rotaryTables } from '@coin/autodiff';
import { attr, type GraphBuilder, tensor, type Value } from '@coin/onnx';
import { type DecoderConfig, headDim } from '../network/config.js';
import { decoderStack, type LayerAttend, type Rope } from '../network/decoder.js';
import type { ForwardContext } from '../network/linear.js';
import { generationStack, type KernelRope } from './generation-stack.js';
import { lastAlong } from '../network/last-position.js';

/** Rotary tables for every position the model supports, gathered by position at run time. */
export function ropeTables(b: GraphBuilder, cfg: DecoderConfig): RotaryTables {
  return rotaryTables(b, cfg.maxSeq, headDim(cfg), 'float32', cfg.ropeBase);
}

/** Rotary tables for per-sample positions [B, T]: cos/sin [B, 1, T, D] (broadcast over heads). */
export function ropeAt(b: GraphBuilder, tables: RotaryTables, positions: Value): Rope {
  const at = (t: Value) => b.op('Unsqueeze', [b.op('Gather', [t, positions]), b.i64([1])]);
  return { cos: at(tables.cos), sin: at(tables.sin), rotate: tables.rotate };
}

/** Rotary tables' first halves [maxSeq, D/2], the form ORT's rotary kernels take. */
export interface HalfTables {
  readonly cos: Value;
  readonly sin: Value;
}

export function halfTables(b: GraphBuilder, tables: RotaryTables): HalfTables {
  const half = (t: Value) => b.op('Slice', [t, b.i64([0]), b.i64([(t.shape as number[])[1] / 2]), b.i64([1])]);
  return { cos: half(tables.cos), sin: half(tables.sin) };
}

/** The rotary the generation stack takes at `positions`: ORT's kernel over half tables when given, else the graph tables gathered there. */
export function stackRope(
  b: GraphBuilder,
  tables: RotaryTables,
  positions: Value,
  kernelTables?: HalfTables,
): Rope | KernelRope {
  return kernelTables ? { positions, ...kernelTables } : ropeAt(b, tables, positions);
}

/**
 * Positions of a left-padded batch: the count of real tokens before each one (padding gets 0,
 * never attended to anyway), so a sample's first real token is at position 0 whatever its padding.
 */
export function positionsFromMask(b: GraphBuilder, mask: Value): Value {
  const counted = b.op('Sub', [
    b.op('CumSum', [mask, b.constant(tensor('int64', [], [1]), 'axis1')]),
    b.constant(tensor('int64', [], [1]), 'one_i64'),
  ]);
  return b.op('Max', [counted, b.constant(tensor('int64', [], [0]), 'zero_i64')]);
}

export interface PrefillOptions {
  /**
   * Finish the last layer (attention output, projection, MLP) for the last position alone: the
   * cache needs every position's keys and values, the next token only the last hidden state, so
   * a quarter of a 4-layer prefill's MLP work is skipped.
   */
  readonly lastOnly?: boolean;
  /**
   * Run the generation stack (generation-stack.ts), as the cached graphs do; otherwise the
   * training forward's decoderStack, which the recompute reference runs.
   */
  readonly generationStack?: boolean;
  /** With `generationStack`: rotary by ORT's com.microsoft RotaryEmbedding kernel over these tables. */
  readonly kernelTables?: HalfTables;
  /** Keys and values of a prefix every prompt shares, computed once: the prompt tokens come after it. */
  readonly shared?: SharedPrefix;
}

/**
 * A prompt prefix shared by every sample (CoIN's system text), whose keys and values were computed
 * once: per layer [1, H, Ps, D], rotary at positions 0..Ps−1. The prompts' own tokens then take
 * positions from Ps and attend to it; it is never padding.
 */
export interface SharedPrefix {
  readonly length: number;
  readonly layers: ReadonlyArray<{ k: Value; v: Value }>;
}

export interface PrefillResult {
  /** Final-norm hidden states [B, T, C], or [B, 1, C] of the last position with `lastOnly`. */
  readonly hidden: Value;
  /** Per layer, keys and values [B, H, P, D] (rotary already applied to keys); P = Ps + T with a shared prefix. */
  readonly cache: ReadonlyArray<{ k: Value; v: Value }>;
  /** [B, P] int64, 1 = a key to attend to: the prompt's mask, after the shared prefix's ones. */
  readonly keyMask: Value;
}

/**
 * The shared prefix's keys or values, one copy per sample, ahead of the prompt's own: [B, H, Ps + T, D].
 * The batch size comes from `own` at run time: with a constant target shape ORT would fold the
 * Expand into a batch-sized constant, holding B copies of the prefix in the session.
 */
function afterShared(b: GraphBuilder, shared: Value, own: Value): Value {
  const [batch, heads, , d] = own.shape as number[];
  const [, , length] = shared.shape as number[];
  const target = b.op('Concat', [b.op('Shape', [own], { start: attr.int(0), end: attr.int(2) }), b.i64([length, d])], {
    axis: attr.int(0),
  });
  const copies = b.op(
    'Expand',
    [shared, target],
    {},
    { types: [{ dtype: own.dtype, shape: [batch, heads, length, d] }] },
  );
  return b.op(
    'Concat',
    [copies, own],
    { axis: attr.int(2) },
    { types: [{ dtype: own.dtype, shape: [batch, heads, 'P', d] }] },
  );
}

/** [B, T] prompt mask → [B, Ps + T] with the shared prefix's keys always attended. */
function maskAfterShared(b: GraphBuilder, mask: Value, length: number): Value {
  const [batch] = mask.shape as number[];
  const ones = b.constant(
    tensor('int64', [batch, length], new BigInt64Array(batch * length).fill(1n)),
    'shared_prefix_mask',
    `shared_prefix_mask:${batch}x${length}`,
  );
  return b.op('Concat', [ones, mask], { axis: attr.int(1) }, { types: [{ dtype: 'int64', shape: [batch, 'P'] }] });
}

/** The decoder over a whole (left-padded) prompt, keeping every layer's keys and values. */
export function prefill(
  ctx: ForwardContext,
  cfg: DecoderConfig,
  embeds: Value,
  mask: Value,
  tables: RotaryTables,
  options: PrefillOptions = {},
): PrefillResult {
  const { b } = ctx;
  const { lastOnly = false, shared } = options;
  const own = positionsFromMask(b, mask);
  const positions = shared
    ? b.op('Add', [own, b.constant(tensor('int64', [], [shared.length]), 'shared_prefix_length')])
    : own;
  const keyMask = shared ? maskAfterShared(b, mask, shared.length) : mask;
  const cache: Array<{ k: Value; v: Value }> = [];
  const attend: LayerAttend = (l, q, ownK, ownV) => {
    const [k, v] = shared
      ? [afterShared(b, shared.layers[l].k, ownK), afterShared(b, shared.layers[l].v, ownV)]
      : [ownK, ownV];
    cache.push({ k, v });
    // With lastOnly, the last layer's one query sees every real key: no causal mask, only the
    // padding. The generation stack hands over q already scaled.
    return attention(b, q, k, v, {
      causal: !(lastOnly && l === cfg.layers - 1),
      keyPadding: keyMask,
      scale: options.generationStack ? 1 : undefined,
      leadingKeys: shared?.length,
    });
  };
  const hidden = options.generationStack
    ? generationStack(
        ctx,
        cfg,
        embeds,
        { rope: stackRope(b, tables, positions, options.kernelTables), attend },
        { singleToken: false, lastOnly },
      )
    : decoderStack(ctx, cfg, embeds, ropeAt(b, tables, positions), attend, { lastOnly });
  return { hidden, cache, keyMask };
}

/** Hidden state of the last position [B, C] (the newest token of a left-padded batch). */
export function lastPosition(b: GraphBuilder, hidden: Value): Value {
  return b.op('Squeeze', [lastAlong(b, hidden, 1), b.i64([1])]);
}

/** Greedy choice: argmax over the vocabulary, [B, V] → [B] int64. */
export function greedy(b: GraphBuilder, logits: Value): Value {
  return b.op('ArgMax', [logits], { axis: attr.int(-1), keepdims: attr.int(0) });
}
