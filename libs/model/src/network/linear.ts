import { attr, type GraphBuilder, type Value } from '@coin/onnx';
import { type AdapterConfig, adapterScaling, type LinearTarget } from './adapters.js';
import { type DropoutStream, dropoutKeepMask } from './dropout.js';
import type { WeightSource } from './weights.js';

/** What every layer builder needs: weights, the adapter in use, and whether dropout is on. */
export interface ForwardContext {
  readonly b: GraphBuilder;
  readonly w: WeightSource;
  readonly adapter?: AdapterConfig;
  /** Set while training with dropout: the per-step seed input. Undefined = no dropout. */
  readonly dropout?: DropoutStream;
}

/** Whether a training graph over this adapter draws dropout masks (and so takes the seed input). */
export function adapterHasDropout(adapter: AdapterConfig): boolean {
  return adapter.kind !== 'full' && adapter.dropout > 0;
}

/**
 * Inverted dropout whose mask is a pure function of the step's seed input, the element position
 * and the module label (./dropout.ts), so resuming in a new session draws the same masks.
 */
export function dropout(ctx: ForwardContext, x: Value, p: number, label: string): Value {
  if (ctx.dropout === undefined || p === 0) return x;
  const { b } = ctx;
  const keep = b.op('Cast', [dropoutKeepMask(b, ctx.dropout, x, p, label)], {
    to: attr.int(x.dtype === 'float64' ? 11 : 1),
  });
  return b.op('Mul', [x, b.op('Mul', [keep, b.scalar(x.dtype, 1 / (1 - p))])]);
}

/**
 * y = x·W (+ bias) (+ adapter). W is stored [in, out]. `path` names the module, e.g.
 * `layers.0.attn.q`; its weight is `${path}.weight`, adapter weights `${path}.lora_A` etc.
 */
export function linear(ctx: ForwardContext, x: Value, path: string, target?: LinearTarget): Value {
  const { b, w } = ctx;
  let y = b.op('MatMul', [x, w.get(`${path}.weight`)]);
  if (w.has(`${path}.bias`)) y = b.op('Add', [y, w.get(`${path}.bias`)]);
  const a = ctx.adapter;
  if (!a || a.kind === 'full' || !target || !a.targets.includes(target)) return y;
  return b.op('Add', [y, a.kind === 'lora' ? loraBranch(ctx, x, path, a) : moeLoraBranch(ctx, x, path, a)]);
}

/** LoRA: s·(drop(x)·A)·B with A [in, r], B [r, out], s = α / r. */
function loraBranch(ctx: ForwardContext, x: Value, path: string, a: AdapterConfig): Value {
  const { b, w } = ctx;
  const h = b.op('MatMul', [dropout(ctx, x, a.dropout, path), w.get(`${path}.lora_A`)]); // [..., r]
  const scaled = b.op('Mul', [h, b.scalar(x.dtype, adapterScaling(a))]);
  return b.op('MatMul', [scaled, w.get(`${path}.lora_B`)]); // [..., out]
}

/**
 * MoELoRA (docs/protocol.md#moelora): Σ_e g_e(x)·s·B_e·A_e·drop_e(x), g = softmax(x·W_g) per token over E
 * experts, s = α / r with the total rank. The experts' A are stored side by side as one [in, r]
 * matrix and the B stacked as [r, out], so without dropout the mixture is two MatMuls:
 * ((x·A) ⊙ g expanded over each expert's r/E columns)·B.
 */
function moeLoraBranch(ctx: ForwardContext, x: Value, path: string, a: AdapterConfig): Value {
  const { b, w } = ctx;
  const e = a.experts;
  const re = a.rank / e;
  const gates = b.op('Softmax', [b.op('MatMul', [x, w.get(`${path}.lora_router`)])], { axis: attr.int(-1) }); // [..., E], router sees undropped x
  const A = w.get(`${path}.lora_A`); // [in, r]
  // Reshape targets copy the leading dims (0 = keep), so run-time lengths (generation) work too.
  const lead = x.shape!.slice(0, -1).map(() => 0);
  let h: Value; // [..., E, r_e]
  if (ctx.dropout !== undefined && a.dropout > 0) {
    // Independent masks per expert: x repeated over experts, then a batched product per expert.
    const rank = x.shape!.length;
    const xe = b.op('Expand', [b.op('Unsqueeze', [x, b.i64([rank - 1])]), b.i64([...lead.map(() => 1), e, 1])]); // [..., E, in]
    const dropped = b.op('Unsqueeze', [dropout(ctx, xe, a.dropout, path), b.i64([rank])]); // [..., E, 1, in]
    const Ae = b.op('Transpose', [b.op('Reshape', [A, b.i64([-1, e, re])])], { perm: attr.ints([1, 0, 2]) }); // [E, in, r_e]
    h = b.op('Reshape', [b.op('MatMul', [dropped, Ae]), b.i64([...lead, e, re])]);
  } else {
    h = b.op('Reshape', [b.op('MatMul', [x, A]), b.i64([...lead, e, re])]);
  }
  const gated = b.op('Mul', [h, b.op('Unsqueeze', [gates, b.i64([-1])])]); // [..., E, r_e]
  const flat = b.op('Reshape', [gated, b.i64([...lead, a.rank])]);
  const scaled = b.op('Mul', [flat, b.scalar(x.dtype, adapterScaling(a))]);
  return b.op('MatMul', [scaled, w.get(`${path}.lora_B`)]);
}
