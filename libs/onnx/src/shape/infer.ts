import { dtypeFromOnnxCode, type DType } from '../ir/dtype.js';
import { type Attributes, type Dim, getInt, getInts, type Shape, type Value } from '../ir/graph.js';
import { type TensorData, toNumbers } from '../ir/tensor.js';
import { broadcastShapes, isStatic, normalizeAxis, staticSize, unknownDim } from './dims.js';

/** What a shape rule sees of a node about to be built. */
export interface InferContext {
  readonly opType: string;
  readonly inputs: ReadonlyArray<Value | undefined>;
  readonly attrs: Attributes;
  readonly outputCount: number;
  /** The value of input i when it is a known constant (initializer or Constant). */
  constOf(i: number): TensorData | undefined;
}

export interface OutputType {
  readonly dtype: DType;
  readonly shape: Shape;
}

type Rule = (c: InferContext) => OutputType[];

function input(c: InferContext, i: number): Value {
  const v = c.inputs[i];
  if (!v) throw new Error(`${c.opType}: input ${i} is required`);
  return v;
}

const same: Rule = (c) => [{ dtype: input(c, 0).dtype, shape: input(c, 0).shape }];

function broadcastOf(c: InferContext, indices: readonly number[]): Shape {
  const shapes = indices.map((i) => input(c, i).shape);
  if (shapes.some((s) => s === null)) return null;
  return broadcastShapes(shapes as Array<readonly Dim[]>);
}

const broadcastSameType: Rule = (c) => [
  {
    dtype: input(c, 0).dtype,
    shape: broadcastOf(
      c,
      c.inputs.map((_, i) => i),
    ),
  },
];
const broadcastBool: Rule = (c) => [{ dtype: 'bool', shape: broadcastOf(c, [0, 1]) }];

function constInts(c: InferContext, i: number): number[] | undefined {
  const t = c.constOf(i);
  return t ? toNumbers(t) : undefined;
}

/** Axes of a reduce: opset ≥ 18 passes them as input 1 (ReduceSum since 13). */
function reduce(c: InferContext): OutputType[] {
  const x = input(c, 0);
  if (x.shape === null) return [{ dtype: x.dtype, shape: null }];
  const keep = getInt(c.attrs, 'keepdims', 1) === 1;
  const axesInput = c.inputs[1] ? constInts(c, 1) : undefined;
  if (c.inputs[1] && axesInput === undefined) return [{ dtype: x.dtype, shape: null }];
  const raw = axesInput ?? getInts(c.attrs, 'axes') ?? [];
  const noop = getInt(c.attrs, 'noop_with_empty_axes', 0) === 1;
  if (raw.length === 0 && noop) return [{ dtype: x.dtype, shape: x.shape }];
  const rank = x.shape.length;
  const axes = new Set(raw.length === 0 ? x.shape.map((_, i) => i) : raw.map((a) => normalizeAxis(a, rank)));
  const shape: Dim[] = [];
  x.shape.forEach((d, i) => {
    if (!axes.has(i)) shape.push(d);
    else if (keep) shape.push(1);
  });
  return [{ dtype: x.dtype, shape }];
}

function matmulShape(a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const aa = a.length === 1 ? [1, a[0]] : a;
  const bb = b.length === 1 ? [b[0], 1] : b;
  const k1 = aa[aa.length - 1];
  const k2 = bb[bb.length - 2];
  if (typeof k1 === 'number' && typeof k2 === 'number' && k1 !== k2) {
    throw new Error(`MatMul: inner dimensions differ: [${a.join(', ')}] x [${b.join(', ')}]`);
  }
  const batch = broadcastShapes([aa.slice(0, -2), bb.slice(0, -2)]);
  const out: Dim[] = [...batch];
  if (a.length !== 1) out.push(aa[aa.length - 2]);
  if (b.length !== 1) out.push(bb[bb.length - 1]);
  return out;
}

function reshape(c: InferContext): OutputType[] {
  const x = input(c, 0);
  const target = constInts(c, 1);
  if (!target) return [{ dtype: x.dtype, shape: null }];
  const allowZero = getInt(c.attrs, 'allowzero', 0) === 1;
  const out: Dim[] = target.map((d, i) => (d === 0 && !allowZero ? (x.shape?.[i] ?? unknownDim()) : d));
  const inferred = out.indexOf(-1);
  if (inferred >= 0) {
    const total = x.shape ? staticSize(x.shape) : undefined;
    const rest = staticSize(out.filter((_, i) => i !== inferred));
    if (total !== undefined && rest !== undefined) {
      if (rest === 0 || total % rest !== 0)
        throw new Error(`Reshape: cannot reshape ${total} elements into [${target.join(', ')}]`);
      out[inferred] = total / rest;
    } else out[inferred] = unknownDim();
  } else if (x.shape) {
    const total = staticSize(x.shape);
    const n = staticSize(out);
    if (total !== undefined && n !== undefined && total !== n) {
      throw new Error(`Reshape: cannot reshape [${x.shape.join(', ')}] into [${target.join(', ')}]`);
    }
  }
  return [{ dtype: x.dtype, shape: out }];
}

function slice(c: InferContext): OutputType[] {
  const x = input(c, 0);
  const starts = constInts(c, 1);
  const ends = constInts(c, 2);
  const axesIn = c.inputs[3] ? constInts(c, 3) : undefined;
  const steps = c.inputs[4] ? constInts(c, 4) : undefined;
  if (!x.shape || !starts || !ends || (c.inputs[3] && !axesIn) || (c.inputs[4] && !steps))
    return [{ dtype: x.dtype, shape: null }];
  const shape: Dim[] = [...x.shape];
  const axes = axesIn ?? starts.map((_, i) => i);
  axes.forEach((axisRaw, k) => {
    const axis = normalizeAxis(axisRaw, shape.length);
    const dim = shape[axis];
    const step = steps?.[k] ?? 1;
    if (typeof dim !== 'number') {
      shape[axis] = unknownDim();
      return;
    }
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    let s = starts[k] < 0 ? starts[k] + dim : starts[k];
    let e = ends[k] < 0 ? ends[k] + dim : ends[k];
    if (step > 0) {
      s = clamp(s, 0, dim);
      e = clamp(e, 0, dim);
      shape[axis] = Math.max(0, Math.ceil((e - s) / step));
    } else {
      s = clamp(s, 0, dim - 1);
      e = clamp(e, -1, dim - 1);
      shape[axis] = Math.max(0, Math.ceil((e - s) / step));
    }
  });
  return [{ dtype: x.dtype, shape }];
}

function squeezeUnsqueeze(c: InferContext): OutputType[] {
  const x = input(c, 0);
  const axes = c.inputs[1] ? constInts(c, 1) : getInts(c.attrs, 'axes');
  if (!x.shape || (c.inputs[1] && !axes)) return [{ dtype: x.dtype, shape: null }];
  if (c.opType === 'Unsqueeze') {
    const rank = x.shape.length + (axes?.length ?? 0);
    const set = new Set((axes ?? []).map((a) => normalizeAxis(a, rank)));
    const out: Dim[] = [];
    let j = 0;
    for (let i = 0; i < rank; i++) out.push(set.has(i) ? 1 : x.shape[j++]);
    return [{ dtype: x.dtype, shape: out }];
  }
  const set = new Set(
    (axes ?? x.shape.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => normalizeAxis(a, x.shape!.length)),
  );
  return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !set.has(i)) }];
}

function split(c: InferContext): OutputType[] {
  const x = input(c, 0);
  const n = c.outputCount;
  if (!x.shape) return Array.from({ length: n }, () => ({ dtype: x.dtype, shape: null }));
  const axis = normalizeAxis(getInt(c.attrs, 'axis', 0), x.shape.length);
  const sizes = c.inputs[1] ? constInts(c, 1) : undefined;
  const dim = x.shape[axis];
  return Array.from({ length: n }, (_, k) => {
    const shape = [...x.shape!];
    if (sizes) shape[axis] = sizes[k];
    else if (typeof dim === 'number') {
      const chunk = Math.ceil(dim / n);
      shape[axis] = k < n - 1 ? chunk : dim - chunk * (n - 1);
    } else shape[axis] = unknownDim();
    return { dtype: x.dtype, shape };
  });
}

const RULES: Readonly<Record<string, Rule>> = {
  Identity: same,
  Neg: same,
  Exp: same,
  Log: same,
  Sqrt: same,
  Tanh: same,
  Erf: same,
  Sigmoid: same,
  Relu: same,
  Abs: same,
  Reciprocal: same,
  Softmax: same,
  LogSoftmax: same,
  Not: same,
  Floor: same,
  Ceil: same,
  Sin: same,
  Cos: same,
  Trilu: same,
  Round: same,
  CumSum: same,
  Add: broadcastSameType,
  Sub: broadcastSameType,
  Mul: broadcastSameType,
  Div: broadcastSameType,
  Pow: (c) => [{ dtype: input(c, 0).dtype, shape: broadcastOf(c, [0, 1]) }],
  Max: broadcastSameType,
  Min: broadcastSameType,
  Sum: broadcastSameType,
  Mod: broadcastSameType,
  BitwiseAnd: broadcastSameType,
  BitwiseXor: broadcastSameType,
  Equal: broadcastBool,
  Less: broadcastBool,
  Greater: broadcastBool,
  LessOrEqual: broadcastBool,
  GreaterOrEqual: broadcastBool,
  And: broadcastBool,
  Or: broadcastBool,
  Where: (c) => [{ dtype: input(c, 1).dtype, shape: broadcastOf(c, [0, 1, 2]) }],
  Cast: (c) => [{ dtype: dtypeFromOnnxCode(getInt(c.attrs, 'to', 1)), shape: input(c, 0).shape }],
  MatMul: (c) => {
    const [a, b] = [input(c, 0), input(c, 1)];
    return [{ dtype: a.dtype, shape: a.shape && b.shape ? matmulShape(a.shape, b.shape) : null }];
  },
  Gemm: (c) => {
    const [a, b] = [input(c, 0), input(c, 1)];
    if (!a.shape || !b.shape) return [{ dtype: a.dtype, shape: null }];
    const m = getInt(c.attrs, 'transA', 0) ? a.shape[1] : a.shape[0];
    const n = getInt(c.attrs, 'transB', 0) ? b.shape[0] : b.shape[1];
    return [{ dtype: a.dtype, shape: [m, n] }];
  },
  ReduceSum: reduce,
  ReduceMean: reduce,
  ReduceMax: reduce,
  ReduceMin: reduce,
  ReduceSumSquare: reduce,
  ReduceL2: reduce,
  ArgMax: (c) => {
    const x = input(c, 0);
    if (!x.shape) return [{ dtype: 'int64', shape: null }];
    const axis = normalizeAxis(getInt(c.attrs, 'axis', 0), x.shape.length);
    const keep = getInt(c.attrs, 'keepdims', 1) === 1;
    return [{ dtype: 'int64', shape: x.shape.flatMap((d, i) => (i !== axis ? [d] : keep ? [1] : [])) }];
  },
  Reshape: reshape,
  Transpose: (c) => {
    const x = input(c, 0);
    if (!x.shape) return [{ dtype: x.dtype, shape: null }];
    const perm = getInts(c.attrs, 'perm') ?? x.shape.map((_, i) => x.shape!.length - 1 - i);
    return [{ dtype: x.dtype, shape: perm.map((p) => x.shape![p]) }];
  },
  Expand: (c) => {
    const x = input(c, 0);
    const target = constInts(c, 1);
    return [{ dtype: x.dtype, shape: x.shape && target ? broadcastShapes([x.shape, target]) : null }];
  },
  Tile: (c) => {
    const x = input(c, 0);
    const reps = constInts(c, 1);
    return [
      {
        dtype: x.dtype,
        shape:
          x.shape && reps
            ? x.shape.map((d, i) => (typeof d === 'number' ? d * reps[i] : reps[i] === 1 ? d : unknownDim()))
            : null,
      },
    ];
  },
  Concat: (c) => {
    const vals = c.inputs.map((_, i) => input(c, i));
    if (vals.some((v) => !v.shape)) return [{ dtype: vals[0].dtype, shape: null }];
    const first = vals[0].shape!;
    const axis = normalizeAxis(getInt(c.attrs, 'axis', 0), first.length);
    const shape: Dim[] = [...first];
    const sizes = vals.map((v) => v.shape![axis]);
    shape[axis] = isStatic(sizes) ? (sizes as number[]).reduce((a, b) => a + b, 0) : unknownDim();
    return [{ dtype: vals[0].dtype, shape }];
  },
  Slice: slice,
  Pad: (c) => {
    const x = input(c, 0);
    const pads = constInts(c, 1);
    if (!x.shape || !pads || c.inputs[3]) return [{ dtype: x.dtype, shape: null }];
    const rank = x.shape.length;
    return [
      {
        dtype: x.dtype,
        shape: x.shape.map((d, i) =>
          typeof d === 'number' ? d + pads[i] + pads[rank + i] : pads[i] + pads[rank + i] === 0 ? d : unknownDim(),
        ),
      },
    ];
  },
  Split: split,
  Squeeze: squeezeUnsqueeze,
  Unsqueeze: squeezeUnsqueeze,
  Gather: (c) => {
    const [data, idx] = [input(c, 0), input(c, 1)];
    if (!data.shape || !idx.shape) return [{ dtype: data.dtype, shape: null }];
    const axis = normalizeAxis(getInt(c.attrs, 'axis', 0), data.shape.length);
    return [{ dtype: data.dtype, shape: [...data.shape.slice(0, axis), ...idx.shape, ...data.shape.slice(axis + 1)] }];
  },
  GatherElements: (c) => [{ dtype: input(c, 0).dtype, shape: input(c, 1).shape }],
  ScatterND: same,
  ScatterElements: same,
  Shape: (c) => {
    const x = input(c, 0);
    if (!x.shape) return [{ dtype: 'int64', shape: [unknownDim()] }];
    const rank = x.shape.length;
    const start = getInt(c.attrs, 'start', 0);
    const end = getInt(c.attrs, 'end', rank);
    const s = Math.max(0, start < 0 ? start + rank : start);
    const e = Math.min(rank, end < 0 ? end + rank : end);
    return [{ dtype: 'int64', shape: [Math.max(0, e - s)] }];
  },
  Size: () => [{ dtype: 'int64', shape: [] }],
  RandomUniformLike: (c) => {
    const code = getInt(c.attrs, 'dtype');
    return [{ dtype: code === undefined ? input(c, 0).dtype : dtypeFromOnnxCode(code), shape: input(c, 0).shape }];
  },
  ConstantOfShape: (c) => {
    const dims = constInts(c, 0);
    const value = c.attrs.value;
    const dtype = value?.kind === 'tensor' ? value.value.dtype : 'float32';
    return [{ dtype, shape: dims ?? null }];
  },
  Constant: (c) => {
    const v = c.attrs.value;
    if (v?.kind !== 'tensor') throw new Error('Constant: only the tensor `value` attribute is supported');
    return [{ dtype: v.value.dtype, shape: v.value.dims }];
  },
  OneHot: (c) => {
    const [idx, , values] = [input(c, 0), input(c, 1), input(c, 2)];
    const depth = constInts(c, 1)?.[0];
    if (!idx.shape) return [{ dtype: values.dtype, shape: null }];
    const rank = idx.shape.length + 1;
    const axis = normalizeAxis(getInt(c.attrs, 'axis', -1), rank);
    const shape: Dim[] = [...idx.shape];
    shape.splice(axis, 0, depth ?? unknownDim());
    return [{ dtype: values.dtype, shape }];
  },
  Range: (c) => {
    const [start, limit, delta] = [constInts(c, 0), constInts(c, 1), constInts(c, 2)];
    const n = start && limit && delta ? Math.max(Math.ceil((limit[0] - start[0]) / delta[0]), 0) : unknownDim();
    return [{ dtype: input(c, 0).dtype, shape: [n] }];
  },
  LayerNormalization: (c) => {
    const x = input(c, 0);
    const outs: OutputType[] = [{ dtype: x.dtype, shape: x.shape }];
    if (c.outputCount > 1 && x.shape) {
      const axis = normalizeAxis(getInt(c.attrs, 'axis', -1), x.shape.length);
      const stat = { dtype: x.dtype, shape: x.shape.map((d, i) => (i < axis ? d : 1)) };
      outs.push(stat, stat);
    }
    return outs.slice(0, c.outputCount);
  },
};

/** Output types of a node; throws (naming the op) when the inputs cannot go together. */
export function inferOutputs(c: InferContext): OutputType[] | undefined {
  const rule = RULES[c.opType];
  if (!rule) return undefined;
  try {
    return rule(c);
  } catch (e) {
    throw new Error(
      `${c.opType}: ${(e as Error).message.replace(new RegExp(`^${c.opType}: `), '')} (inputs ${c.inputs.map((v) => (v ? `${v.name}:${v.dtype}[${v.shape?.join(', ') ?? '?'}]` : '-')).join(', ')})`,
    );
  }
}
