import type { GraphBuilder, Value } from '@coin/onnx';

/** Σ of scalar terms as a chain of Adds (Add has a gradient rule; variadic Sum has none). */
export function sumTerms(b: GraphBuilder, terms: readonly Value[]): Value | undefined {
  if (terms.length === 0) return undefined;
  return terms.slice(1).reduce((acc, t) => b.op('Add', [acc, t]), terms[0]);
}
