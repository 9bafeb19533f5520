import type { Primitive } from './primitive.js';
import { Add } from './ops/add.js';
import { Cast } from './ops/cast.js';
import { Concat } from './ops/concat.js';
import { Div } from './ops/div.js';
import { Erf } from './ops/erf.js';
import { Exp } from './ops/exp.js';
import { Expand } from './ops/expand.js';
import { Gather } from './ops/gather.js';
import { GatherElements } from './ops/gather-elements.js';
import { Gemm } from './ops/gemm.js';
import { Identity } from './ops/identity.js';
import { Log } from './ops/log.js';
import { LogSoftmax } from './ops/log-softmax.js';
import { MatMul } from './ops/matmul.js';
import { Mul } from './ops/mul.js';
import { Neg } from './ops/neg.js';
import { Pow } from './ops/pow.js';
import { ReduceMax } from './ops/reduce-max.js';
import { ReduceMean } from './ops/reduce-mean.js';
import { ReduceSum } from './ops/reduce-sum.js';
import { Relu } from './ops/relu.js';
import { Reshape } from './ops/reshape.js';
import { Sigmoid } from './ops/sigmoid.js';
import { Slice } from './ops/slice.js';
import { Softmax } from './ops/softmax.js';
import { Split } from './ops/split.js';
import { Sqrt } from './ops/sqrt.js';
import { Squeeze, Unsqueeze } from './ops/squeeze.js';
import { Sub } from './ops/sub.js';
import { Tanh } from './ops/tanh.js';
import { Transpose } from './ops/transpose.js';
import { Where } from './ops/where.js';

/** Every differentiable primitive, in one explicit list. */
export const PRIMITIVES: readonly Primitive[] = [
  Add,
  Sub,
  Mul,
  Div,
  Neg,
  Identity,
  Exp,
  Log,
  Sqrt,
  Pow,
  Tanh,
  Erf,
  Sigmoid,
  Relu,
  MatMul,
  Gemm,
  ReduceSum,
  ReduceMean,
  ReduceMax,
  Reshape,
  Squeeze,
  Unsqueeze,
  Transpose,
  Expand,
  Concat,
  Slice,
  Split,
  Gather,
  GatherElements,
  Where,
  Cast,
  Softmax,
  LogSoftmax,
];

function index(list: readonly Primitive[]): ReadonlyMap<string, Primitive> {
  const map = new Map<string, Primitive>();
  for (const p of list) {
    if (map.has(p.opType)) throw new Error(`autodiff registry: ${p.opType} is registered twice`);
    map.set(p.opType, p);
  }
  return map;
}

export const REGISTRY = index(PRIMITIVES);

/**
 * Ops whose outputs never carry a gradient (integer/boolean results, shapes, constants). They may
 * sit on a path from a parameter without stopping the reverse pass.
 */
export const NON_DIFFERENTIABLE = new Set([
  'Shape',
  'Size',
  'Equal',
  'Less',
  'Greater',
  'LessOrEqual',
  'GreaterOrEqual',
  'Not',
  'And',
  'Or',
  'ArgMax',
  'ConstantOfShape',
  'Constant',
  'Range',
  'OneHot',
  'Floor',
  'Ceil',
  'Round',
  'RandomUniformLike',
  'BitwiseAnd',
  'BitwiseXor',
]);
