import { attention, type RotaryTables, rotaryTables } from '@coin/autodiff';
import { attr, type GraphBuilder, tensor, type Value } from '@coin/onnx';
import { type DecoderConfig, headDim } from '../network/config.js';
import { decoderStack, type LayerAttend, type Rope } from '../network/decoder.js';
import type { ForwardContext } from '../network/linear.js';
import { type FusedStepWeights, fusedStack, type KernelRope } from './fused-decode.js';
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

/** The rotary a fused stack takes at `positions`: ORT's kernel over half tables when given, else the graph tables gathered there. */
export function fusedRope(b: GraphBuilder, tables: RotaryTables, positions: Value, kernelTables?: HalfTables): Rope | KernelRope {
  return kernelTables ? { positions, ...kernelTables } : ropeAt(b, tables, positions);
}

/**
 * Positions of a left-padded batch: the count of real tokens before each one (padding gets 0,
 * never attended to anyway), so a sample's first real token is at position 0 whatever its padding.
 */
export function positionsFromMask(b: GraphBuilder, mask: Value): Value {
  const counted = b.op('Sub', [b.op('CumSum', [mask, b.constant(tensor('int64', [], [1]), 'axis1')]), b.constant(tensor('int64', [], [1]), 'one_i64')]);
  return b.op('Max', [counted, b.constant(tensor('int64', [], [0]), 'zero_i64')]);
}

export interface PrefillOptions {
  /**
   * Finish the last layer (attention output, projection, MLP) for the last position alone: the
   * cache needs every position's keys and values, the next token only the last hidden state, so
   * a quarter of a 4-layer prefill's MLP work is skipped.
   */
  readonly lastOnly?: boolean;
  /** Run on the fused decode weights (fused-decode.ts) instead of layer by layer. */
  readonly fused?: FusedStepWeights;
  /** With `fused`: rotary by ORT's com.microsoft RotaryEmbedding kernel over these tables. */
  readonly kernelTables?: HalfTables;
}

export interface PrefillResult {
  /** Final-norm hidden states [B, T, C], or [B, 1, C] of the last position with `lastOnly`. */
  readonly hidden: Value;
  /** Per layer, keys and values [B, H, T, D] (rotary already applied to keys). */
  readonly cache: ReadonlyArray<{ k: Value; v: Value }>;
}

/** The decoder over a whole (left-padded) prompt, keeping every layer's keys and values. */
export function prefill(ctx: ForwardContext, cfg: DecoderConfig, embeds: Value, mask: Value, tables: RotaryTables, options: PrefillOptions = {}): PrefillResult {
  const { b } = ctx;
  const { lastOnly = false, fused } = options;
  const positions = positionsFromMask(b, mask);
  const cache: Array<{ k: Value; v: Value }> = [];
  const attend: LayerAttend = (l, q, k, v) => {
    cache.push({ k, v });
    // With lastOnly, the last layer's one query sees every real key: no causal mask, only the
    // padding. Fused weights hand over q already scaled.
    return attention(b, q, k, v, { causal: !(lastOnly && l === cfg.layers - 1), keyPadding: mask, scale: fused ? 1 : undefined });
  };
  const hidden = fused ? fusedStack(b, cfg, fused, embeds, { rope: fusedRope(b, tables, positions, options.kernelTables), attend }, { singleToken: false, lastOnly }) : decoderStack(ctx, cfg, embeds, ropeAt(b, tables, positions), attend, { lastOnly });
  return { hidden, cache };
}

/** Hidden state of the last position [B, C] (the newest token of a left-padded batch). */
export function lastPosition(b: GraphBuilder, hidden: Value): Value {
  return b.op('Squeeze', [lastAlong(b, hidden, 1), b.i64([1])]);
}

/** Greedy choice: argmax over the vocabulary, [B, V] → [B] int64. */
export function greedy(b: GraphBuilder, logits: Value): Value {
  return b.op('ArgMax', [logits], { axis: attr.int(-1), keepdims: attr.int(0) });
}
