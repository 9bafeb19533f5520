import { attr, type GraphBuilder, tensor, type Value } from '@coin/onnx';
import { castTo } from '../helpers.js';

/** Label value whose positions carry no loss (PyTorch / HF convention). */
export const IGNORE_INDEX = -100;

/**
 * Mean token cross-entropy over non-ignored targets: logits [N, V], targets [N] int64 with
 * IGNORE_INDEX for masked positions. LogSoftmax keeps it stable; its gradient rule
 * (dY − softmax·ΣdY) is the fused softmax-minus-one-hot form. A batch with no targets gives 0.
 */
export function crossEntropy(b: GraphBuilder, logits: Value, targets: Value): Value {
  const logp = b.op('LogSoftmax', [logits], { axis: attr.int(-1) }); // [N, V]
  const ignore = b.constant(tensor('int64', [], [IGNORE_INDEX]), 'ignore_index');
  const keep = b.op('Not', [b.op('Equal', [targets, ignore])]); // [N]
  const safe = b.op('Where', [keep, targets, b.constant(tensor('int64', [], [0]), 'zero_i64')]);
  const picked = b.op('GatherElements', [logp, b.op('Unsqueeze', [safe, b.i64([-1])])], { axis: attr.int(-1) }); // [N, 1]
  const weight = castTo(b, keep, logits.dtype); // [N]
  const nll = b.op('Mul', [b.op('Reshape', [picked, b.i64([-1])]), weight]); // [N], = −loss per token
  const count = b.op('Max', [
    b.op('ReduceSum', [weight, b.i64([0])], { keepdims: attr.int(0) }),
    b.constant(tensor(logits.dtype, [], [1]), 'one'),
  ]);
  return b.op('Neg', [b.op('Div', [b.op('ReduceSum', [nll, b.i64([0])], { keepdims: attr.int(0) }), count])]);
}
