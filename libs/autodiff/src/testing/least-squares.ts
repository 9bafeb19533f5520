import { type Rng, uniformValues as uniform } from '@coin/core';
import { attr, type GraphBuilder, type Value } from '@coin/onnx';
import type { HostTensor } from '@coin/runtime';
import type { TrainGraphSpec } from '../training/assemble.js';
import type { ParamSpec } from '../training/flat-layout.js';

/** The runner tests' model: y ≈ x·W + c, mean squared error, x [batch, IN] and y [batch, OUT]. */
export const LSQ_IN = 4;
export const LSQ_OUT = 3;

export function leastSquaresSpec(
  batch: number,
  trainable: readonly ParamSpec[],
  optimizer: TrainGraphSpec['optimizer'] = {},
): TrainGraphSpec {
  return {
    name: 'lsq',
    trainable,
    optimizer,
    forward: (b: GraphBuilder, p: ReadonlyMap<string, Value>) => {
      const x = b.input('x', 'float32', [batch, LSQ_IN]);
      const y = b.input('y', 'float32', [batch, LSQ_OUT]);
      const err = b.op('Sub', [b.op('Add', [b.op('MatMul', [x, p.get('W')!]), p.get('c')!]), y]); // [batch, OUT]
      return b.op('ReduceMean', [b.op('Mul', [err, err])], { keepdims: attr.int(0) });
    },
  };
}

/** A batch of n uniform x and y rows. */
export function leastSquaresBatch(rng: Rng, n: number): Record<string, HostTensor> {
  return {
    x: { dtype: 'float32', dims: [n, LSQ_IN], data: Float32Array.from(uniform(rng, n * LSQ_IN)) },
    y: { dtype: 'float32', dims: [n, LSQ_OUT], data: Float32Array.from(uniform(rng, n * LSQ_OUT)) },
  };
}
