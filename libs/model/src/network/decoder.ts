import { CoinError } from '@coin/core';
import {
  applyRotary,
  attention,
  mergeHeads,
  rmsNorm,
  type RotaryTables,
  rotaryTables,
  silu,
  splitHeads,
} from '@coin/autodiff';
import { attr, type Value } from '@coin/onnx';
import { type DecoderConfig, headDim } from './config.js';
import { internalNames as names } from '../internal-names.js';
import { lastAlong } from './last-position.js';
import { type ForwardContext, linear } from './linear.js';

/** Token embeddings: ids [B, T] int64 → [B, T, C]. */
export function embedTokens(ctx: ForwardContext, ids: Value): Value {
  return ctx.b.op('Gather', [ctx.w.get(names.embed), ids]);
}

export interface DecoderRunOptions {
  /** [B, T] 1 = real token, 0 = padding; keys at padded positions are never attended to. */
  readonly keyPadding?: Value;
}

/** Rotary tables broadcastable to [B, H, T, D]: [T, D] for plain positions, [B, 1, T, D] per sample. */
export type Rope = RotaryTables;

/**
 * [B, T, C] ↔ [B, H, T, D]. With one token (decoding) the transpose moves nothing in memory, so a
 * Reshape alone does it: fewer nodes in the per-token loop.
 */
function toHeads(ctx: ForwardContext, cfg: DecoderConfig, x: Value, singleToken: boolean): Value {
  const { b } = ctx;
  return singleToken ? b.op('Reshape', [x, b.i64([0, cfg.heads, 1, headDim(cfg)])]) : splitHeads(b, x, cfg.heads);
}

function fromHeads(ctx: ForwardContext, cfg: DecoderConfig, x: Value, singleToken: boolean): Value {
  const { b } = ctx;
  return singleToken ? b.op('Reshape', [x, b.i64([0, 1, cfg.dim])]) : mergeHeads(b, x);
}

/** Attention half of block l up to the heads: norm, q/k/v projections, rotary on q and k. Each [B, H, T, D]. */
function blockQkv(
  ctx: ForwardContext,
  cfg: DecoderConfig,
  l: number,
  x: Value,
  rope: Rope,
  singleToken = false,
): { q: Value; k: Value; v: Value } {
  const { b, w } = ctx;
  const h = rmsNorm(b, x, w.get(names.attnNorm(l)), cfg.normEps); // [B, T, C]
  const heads = (t: 'q' | 'k' | 'v') => toHeads(ctx, cfg, linear(ctx, h, names.linear(l, t), t), singleToken); // [B, H, T, D]
  return { q: applyRotary(b, heads('q'), rope), k: applyRotary(b, heads('k'), rope), v: heads('v') };
}

/** The rest of block l: output projection and residual, then the SwiGLU MLP and residual. */
function blockFinish(
  ctx: ForwardContext,
  cfg: DecoderConfig,
  l: number,
  x: Value,
  att: Value,
  singleToken = false,
): Value {
  const { b, w } = ctx;
  const x1 = b.op('Add', [x, linear(ctx, fromHeads(ctx, cfg, att, singleToken), names.linear(l, 'o'), 'o')]);
  const h2 = rmsNorm(b, x1, w.get(names.ffnNorm(l)), cfg.normEps);
  const gate = silu(b, linear(ctx, h2, names.linear(l, 'gate'), 'gate'));
  const up = linear(ctx, h2, names.linear(l, 'up'), 'up');
  return b.op('Add', [x1, linear(ctx, b.op('Mul', [gate, up]), names.linear(l, 'down'), 'down')]);
}

/**
 * Per-layer attention over q, k, v [B, H, T, D] (q [B, H, 1, D] in a lastOnly final layer), returning
 * [B, H, Tq, D]. decoderStack hands over q unscaled; fusedStack hands it over already scaled by 1/√D.
 */
export type LayerAttend = (layer: number, q: Value, k: Value, v: Value) => Value;

export interface DecoderStackOptions {
  /** One token per sample (decoding): heads by Reshape alone. */
  readonly singleToken?: boolean;
  /** Finish the last layer for the last position only (its keys and values still cover every position). */
  readonly lastOnly?: boolean;
}

/**
 * The pre-norm LLaMA stack, block by block (x + attn(norm(x)), then + SwiGLU(norm(x))), on
 * embeddings [B, T, C]; returns the final-norm hidden states [B, T, C] ([B, 1, C] with lastOnly).
 * `attend` decides what each layer attends over: the sequence itself, or a cache.
 */
export function decoderStack(
  ctx: ForwardContext,
  cfg: DecoderConfig,
  embeds: Value,
  rope: Rope,
  attend: LayerAttend,
  o: DecoderStackOptions = {},
): Value {
  let x = embeds;
  for (let l = 0; l < cfg.layers; l++) {
    x = ctx.b.scope(`layer${l}`, () => {
      const { q, k, v } = blockQkv(ctx, cfg, l, x, rope, o.singleToken);
      if (o.lastOnly && l === cfg.layers - 1)
        return blockFinish(ctx, cfg, l, lastAlong(ctx.b, x, 1), attend(l, lastAlong(ctx.b, q, 2), k, v), o.singleToken);
      return blockFinish(ctx, cfg, l, x, attend(l, q, k, v), o.singleToken);
    });
  }
  return rmsNorm(ctx.b, x, ctx.w.get(names.norm), cfg.normEps);
}

/** Runs the decoder stack on input embeddings [B, T, C] with causal attention; returns the final-norm hidden states. */
export function decoderForward(
  ctx: ForwardContext,
  cfg: DecoderConfig,
  embeds: Value,
  options: DecoderRunOptions = {},
): Value {
  const t = (embeds.shape as number[])[1];
  if (t > cfg.maxSeq)
    throw new CoinError(
      'MODEL.SEQUENCE_TOO_LONG',
      'INVALID_ARGUMENT',
      `sequence length ${t} exceeds the decoder's maxSeq ${cfg.maxSeq}`,
      {
        hint: 'shorten the input: prompt, image tokens and generated tokens together must fit maxSeq',
      },
    );
  const rope = rotaryTables(ctx.b, t, headDim(cfg), embeds.dtype, cfg.ropeBase);
  return decoderStack(ctx, cfg, embeds, rope, (_, q, k, v) =>
    attention(ctx.b, q, k, v, { causal: true, keyPadding: options.keyPadding }),
  );
}

/** Hidden [.., C] → logits [.., V] (tied: the embedding matrix transposed). */
export function lmHead(ctx: ForwardContext, cfg: DecoderConfig, hidden: Value): Value {
  const { b, w } = ctx;
  if (cfg.tiedEmbeddings)
    return b.op('MatMul', [hidden, b.op('Transpose', [w.get(names.embed)], { perm: attr.ints([1, 0]) })]);
  return b.op('MatMul', [hidden, w.get(names.head)]);
}
