import { attr, type GraphBuilder, tensor, type Value } from '@coin/onnx';
import type { ParamSlot } from './flat-layout.js';

/** AdamW hyper-parameters (defaults: PyTorch's, CoIN's DeepSpeed config: wd 0, clip 1.0). */
export interface AdamWConfig {
  readonly beta1: number; // 0.9
  readonly beta2: number; // 0.999
  readonly eps: number; // 1e-8
  readonly weightDecay: number; // decoupled; 0 in CoIN
  /** Global-norm gradient clipping; 0 disables. */
  readonly maxGradNorm: number; // 1.0
}

export const DEFAULT_ADAMW: AdamWConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 };

export interface AdamWState {
  readonly params: Value; // [N]
  readonly m: Value; // [N]
  readonly v: Value; // [N]
  readonly grad: Value; // [N]
  /** 1-based step number, float32 scalar. */
  readonly step: Value;
  /** One learning rate per group, in the order of `layoutParams(...).groups`. */
  readonly lr: Value; // [G]
}

/**
 * Appends one AdamW update over flat vectors: global-norm clipping, moments, bias correction
 * (β^step from the step input) and decoupled weight decay, in PyTorch's arithmetic order:
 * p ← p·(1 − lr·wd) − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + eps).
 *
 * Per-group rates: the step size lr / (1 − β₁ᵗ) is computed on the [G] rate vector and spread to
 * the [N] elements by one Gather through a constant group-index map. That is a single pass over N
 * inside ORT, where a per-element rate vector built on the host would cost a JS loop over N plus
 * an N-float feed every step (schedules change the rates every step). With one group the [1]
 * vector broadcasts and no Gather is built at all.
 */
export function adamwUpdate(
  b: GraphBuilder,
  s: AdamWState,
  config: AdamWConfig,
  slots: readonly ParamSlot[],
): { params: Value; m: Value; v: Value; gradNorm: Value } {
  return b.scope('adamw', () => {
    const f = (x: number) => b.constant(tensor('float32', [], [x]), 'k');
    const gradNorm = b.op('Sqrt', [b.op('ReduceSumSquare', [s.grad], { keepdims: attr.int(0) })]);
    let g = s.grad;
    if (config.maxGradNorm > 0) {
      const coef = b.op('Min', [f(1), b.op('Div', [f(config.maxGradNorm), b.op('Add', [gradNorm, f(1e-6)])])]);
      g = b.op('Mul', [g, coef]);
    }
    const m = b.op('Add', [b.op('Mul', [s.m, f(config.beta1)]), b.op('Mul', [g, f(1 - config.beta1)])]);
    const v = b.op('Add', [
      b.op('Mul', [s.v, f(config.beta2)]),
      b.op('Mul', [b.op('Mul', [g, g]), f(1 - config.beta2)]),
    ]);
    const bc1 = b.op('Sub', [f(1), b.op('Pow', [f(config.beta1), s.step])]);
    const bc2 = b.op('Sub', [f(1), b.op('Pow', [f(config.beta2), s.step])]);
    const denom = b.op('Add', [b.op('Div', [b.op('Sqrt', [v]), b.op('Sqrt', [bc2])]), f(config.eps)]);
    const total = slots.reduce((a, sl) => a + sl.size, 0);
    const groupCount = slots.reduce((a, sl) => Math.max(a, sl.groupIndex + 1), 1);
    let perElement = (x: Value) => x; // [G] → broadcastable against [N]
    if (groupCount > 1) {
      const index = new Int32Array(total);
      for (const sl of slots) index.fill(sl.groupIndex, sl.offset, sl.offset + sl.size);
      const map = b.constant({ dtype: 'int32', dims: [total], data: index }, 'group_index'); // [N]
      perElement = (x: Value) => b.op('Gather', [x, map], { axis: attr.int(0) }); // [N]
    }
    const stepSize = perElement(b.op('Div', [s.lr, bc1])); // [N] or [1]
    let p = s.params;
    if (config.weightDecay > 0) {
      const allDecay = slots.every((sl) => sl.decay);
      let decay: Value = f(config.weightDecay);
      if (!allDecay) {
        const mask = new Float32Array(total);
        for (const sl of slots) if (sl.decay) mask.fill(config.weightDecay, sl.offset, sl.offset + sl.size);
        decay = b.constant({ dtype: 'float32', dims: [total], data: mask }, 'decay_mask');
      }
      p = b.op('Mul', [p, b.op('Sub', [f(1), b.op('Mul', [perElement(s.lr), decay])])]);
    }
    const params = b.op('Sub', [p, b.op('Mul', [stepSize, b.op('Div', [m, denom])])]);
    return { params, m, v, gradNorm };
  });
}
