import { attr, type GraphBuilder, isStatic, ONNX_DTYPE_CODE, sameShape, tensor, type Value } from '@coin/onnx';

/** A rank-0 constant with the dtype of `like`. */
export function scalarLike(b: GraphBuilder, like: Value, value: number): Value {
  return b.scalar(like.dtype, value);
}

/** Zeros with the shape and dtype of `like`, built from its run-time shape. */
export function zerosLike(b: GraphBuilder, like: Value): Value {
  return b.op(
    'ConstantOfShape',
    [b.op('Shape', [like])],
    { value: attr.tensor(tensor(like.dtype, [1], [0])) },
    { types: [{ dtype: like.dtype, shape: like.shape }] },
  );
}

/** `g` reshaped to the run-time shape of `like` (used where the shape is merely reinterpreted). */
export function reshapeLike(b: GraphBuilder, g: Value, like: Value): Value {
  if (sameShape(g.shape, like.shape) && like.shape && isStatic(like.shape)) return g;
  return b.op('Reshape', [g, b.op('Shape', [like])], {}, { types: [{ dtype: g.dtype, shape: like.shape }] });
}

/**
 * Sums a broadcast gradient back to the shape of the input it flowed from: over the leading
 * axes the input lacked and over axes where the input had size 1.
 */
export function unbroadcast(b: GraphBuilder, g: Value, target: Value): Value {
  if (sameShape(g.shape, target.shape)) return g;
  if (!g.shape || !target.shape) throw new Error(`unbroadcast: unknown rank (${g.name} → ${target.name})`);
  const lead = g.shape.length - target.shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    const t = i < lead ? undefined : target.shape[i - lead];
    if (t === undefined || (t === 1 && g.shape[i] !== 1)) axes.push(i);
    else if (t !== g.shape[i] && typeof t === 'number' && typeof g.shape[i] === 'number') {
      throw new Error(`unbroadcast: cannot reduce [${g.shape.join(', ')}] to [${target.shape.join(', ')}]`);
    }
  }
  const summed = axes.length ? b.op('ReduceSum', [g, b.i64(axes)], { keepdims: attr.int(1) }) : g;
  return reshapeLike(b, summed, target);
}

export function castTo(b: GraphBuilder, v: Value, dtype: Value['dtype']): Value {
  return v.dtype === dtype ? v : b.op('Cast', [v], { to: attr.int(ONNX_DTYPE_CODE[dtype]) });
}

/** Reduce axes of a Reduce* node: input 1 (opset ≥ 18) or the legacy attribute; [] = all axes. */
export function reduceAxes(
  b: GraphBuilder,
  node: { inputs: readonly string[]; attributes: Record<string, { kind: string; value: unknown }> },
  rank: number,
): number[] {
  const fromInput = node.inputs[1] ? b.constOf(node.inputs[1]) : undefined;
  if (node.inputs[1] && !fromInput) throw new Error('reduce gradient: axes must be a constant');
  const raw = fromInput
    ? Array.from(fromInput.data as ArrayLike<number | bigint>, Number)
    : ((node.attributes.axes?.value as number[] | undefined) ?? []);
  const all = raw.length === 0 ? Array.from({ length: rank }, (_, i) => i) : raw.map((a) => (a < 0 ? a + rank : a));
  return [...all].sort((x, y) => x - y);
}
