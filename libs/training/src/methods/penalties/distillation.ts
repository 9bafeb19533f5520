import { attr, type GraphBuilder, tensor, type Value } from '@coin/onnx';
import { IGNORE_INDEX } from '@coin/model';

/**
 * LwF's distillation term (Li & Hoiem 2016, in Hinton's form): the mean over answer positions of
 * KL(softmax(teacher/T) ‖ softmax(student/T)) · T². The T² keeps the gradient's size independent of
 * T, so α means the same at every temperature. Positions follow the LM loss's shift: the logits
 * at t are scored where labels[t + 1] is not IGNORE_INDEX (the answer tokens, as in the task loss).
 * The teacher's logits come in as a batch input: constants to the gradient.
 *
 * student, teacher: [B, T, V] logits; labels: [B, T] int64. Returns a scalar (0 with no answer).
 */
export function distillationLoss(
  b: GraphBuilder,
  student: Value,
  teacher: Value,
  labels: Value,
  temperature: number,
): Value {
  const [, seq, vocab] = student.shape as number[];
  const dt = student.dtype;
  const shift = (x: Value, from: number, to: number) => b.op('Slice', [x, b.i64([from]), b.i64([to]), b.i64([1])]);
  const flat = (x: Value) => b.op('Reshape', [shift(x, 0, seq - 1), b.i64([-1, vocab])]); // [N, V]
  const invT = b.scalar(dt, 1 / temperature);
  const logS = b.op('LogSoftmax', [b.op('Mul', [flat(student), invT])], { axis: attr.int(-1) }); // [N, V]
  const logT = b.op('LogSoftmax', [b.op('Mul', [flat(teacher), invT])], { axis: attr.int(-1) }); // [N, V]
  const pT = b.op('Exp', [logT]); // [N, V]
  const kl = b.op('ReduceSum', [b.op('Mul', [pT, b.op('Sub', [logT, logS])]), b.i64([-1])], {
    keepdims: attr.int(0),
  }); // [N]
  const target = b.op('Reshape', [shift(labels, 1, seq), b.i64([-1])]); // [N]
  const ignore = b.constant(tensor('int64', [], [IGNORE_INDEX]), 'ignore_index');
  const keep = b.op('Cast', [b.op('Not', [b.op('Equal', [target, ignore])])], {
    to: attr.int(dt === 'float64' ? 11 : 1),
  }); // [N]
  const total = b.op('ReduceSum', [b.op('Mul', [kl, keep])], { keepdims: attr.int(0) }); // []
  const count = b.op('Max', [b.op('ReduceSum', [keep], { keepdims: attr.int(0) }), b.scalar(dt, 1)]); // []
  return b.op('Mul', [b.op('Div', [total, count]), b.scalar(dt, temperature * temperature)]);
}
