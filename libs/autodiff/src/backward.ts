import { CoinError } from '@coin/core';
import { formatShape, type GraphBuilder, isFloat, isStatic, sameShape, type Value } from '@coin/onnx';
import { zerosLike } from './helpers.js';
import { NON_DIFFERENTIABLE, REGISTRY } from './registry.js';

export interface GradientOptions {
  /** d loss / d loss; default 1 (the loss must then be a scalar or the seed is broadcast). */
  readonly seed?: Value;
}

/**
 * Appends the reverse pass to `b` and returns d loss / d p for every p in `wrt`.
 *
 * Only nodes on a path from some p to the loss get backward work, so frozen weights cost nothing.
 * Gradients reaching a value along several paths (fan-out) are summed. A float op without a
 * gradient rule on such a path is an error naming the op and node, never a silent zero.
 */
export function gradients(
  b: GraphBuilder,
  loss: Value,
  wrt: readonly Value[],
  options: GradientOptions = {},
): Map<string, Value> {
  const nodes = [...b.nodeList];
  const wrtNames = new Set(wrt.map((v) => v.name));

  // Values that depend on a parameter (forward reachability).
  const dependent = new Set(wrtNames);
  for (const node of nodes) {
    if (node.inputs.some((i) => dependent.has(i))) for (const o of node.outputs) dependent.add(o);
  }
  if (!dependent.has(loss.name)) {
    throw new CoinError(
      'AUTODIFF.NOT_CONNECTED',
      'INVALID_ARGUMENT',
      `loss ${loss.name} does not depend on any of the parameters ${[...wrtNames].slice(0, 5).join(', ')}`,
    );
  }

  const contributions = new Map<string, Value[]>();
  const push = (name: string, g: Value) => {
    const list = contributions.get(name);
    if (list) list.push(g);
    else contributions.set(name, [g]);
  };
  const total = (name: string): Value | undefined => {
    const list = contributions.get(name);
    if (!list || list.length === 0) return undefined;
    if (list.length > 1) {
      const summed = b.op('Sum', list);
      contributions.set(name, [summed]);
      return summed;
    }
    return list[0];
  };

  return b.scope('grad', () => {
    push(
      loss.name,
      options.seed ??
        b.op(
          'Expand',
          [b.constant({ dtype: loss.dtype, dims: [], data: onesOf(loss) }, 'one'), b.op('Shape', [loss])],
          {},
          { types: [{ dtype: loss.dtype, shape: loss.shape }] },
        ),
    );

    for (let k = nodes.length - 1; k >= 0; k--) {
      const node = nodes[k];
      if (!node.outputs.some((o) => contributions.has(o))) continue;
      const needs = node.inputs.map((name) => {
        if (name === '' || !dependent.has(name)) return false;
        const v = b.valueOf(name);
        return v !== undefined && isFloat(v.dtype);
      });
      if (!needs.some(Boolean)) continue;
      const rule = REGISTRY.get(node.opType);
      if (!rule) {
        if (NON_DIFFERENTIABLE.has(node.opType)) continue;
        throw new CoinError(
          'AUTODIFF.NO_GRADIENT',
          'UNIMPLEMENTED',
          `no gradient rule for ${node.opType} (node ${node.name}, inputs ${node.inputs.join(', ')})`,
          {
            hint: 'build this computation from differentiable primitives, or add a rule in libs/autodiff/src/ops and register it',
          },
        );
      }
      const inputs = node.inputs.map((name) => (name === '' ? undefined : b.valueOf(name)));
      const outputs = node.outputs.map((name) => b.valueOf(name)!);
      const dOutputs = node.outputs.map(total);
      const grads = b.scope(node.opType, () => rule.grad({ b, node, inputs, outputs, dOutputs, needs }));
      grads.forEach((g, i) => {
        if (!needs[i] || !g) return;
        const x = inputs[i]!;
        if (x.shape && g.shape && isStatic(x.shape) && !sameShape(x.shape, g.shape)) {
          throw new Error(
            `internal: ${node.opType} gradient for ${x.name} has shape ${formatShape(g.shape)}, expected ${formatShape(x.shape)}`,
          );
        }
        push(node.inputs[i], g);
      });
    }

    const result = new Map<string, Value>();
    for (const p of wrt) {
      const g = total(p.name);
      result.set(p.name, g ?? zerosLike(b, p));
    }
    return result;
  });
}

function onesOf(v: Value) {
  switch (v.dtype) {
    case 'float64':
      return new Float64Array([1]);
    case 'float32':
      return new Float32Array([1]);
    default:
      throw new CoinError(
        'AUTODIFF.BAD_LOSS',
        'INVALID_ARGUMENT',
        `loss ${v.name} must be float32 or float64, got ${v.dtype}`,
      );
  }
}
