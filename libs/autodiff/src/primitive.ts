import type { GraphBuilder, Node, Value } from '@coin/onnx';

/** What a gradient rule sees: the forward node, its values, and the gradients flowing back. */
export interface GradContext {
  readonly b: GraphBuilder;
  readonly node: Node;
  /** Forward inputs (undefined for omitted optional inputs). Backward may read them: one graph holds both passes. */
  readonly inputs: ReadonlyArray<Value | undefined>;
  /** Forward outputs. */
  readonly outputs: readonly Value[];
  /** d loss / d output; undefined where an output does not reach the loss. */
  readonly dOutputs: ReadonlyArray<Value | undefined>;
  /** Whether each input needs a gradient (a trainable parameter depends on it). */
  readonly needs: readonly boolean[];
}

/** Returns d loss / d input for every input (undefined where not needed or not differentiable). */
export type GradRule = (c: GradContext) => ReadonlyArray<Value | undefined>;

/** A differentiable ONNX operator: its ONNX name, its docs, and its gradient rule. */
export interface Primitive {
  /** The ONNX op_type, exactly. */
  readonly opType: string;
  readonly grad: GradRule;
}

/** The gradient of output 0, which every single-output rule needs. */
export function dy(c: GradContext): Value {
  const g = c.dOutputs[0];
  if (!g) throw new Error(`${c.node.opType}: gradient rule called without an output gradient`);
  return g;
}

export function input(c: GradContext, i: number): Value {
  const v = c.inputs[i];
  if (!v) throw new Error(`${c.node.opType}: input ${i} is missing`);
  return v;
}
