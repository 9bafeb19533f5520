import type { Dim } from '../ir/graph.js';

let unknownCounter = 0;
/** A fresh symbolic dimension for a size that inference cannot determine. */
export function unknownDim(): string {
  unknownCounter += 1;
  return `?${unknownCounter}`;
}

export function isStatic(shape: readonly Dim[]): shape is readonly number[] {
  return shape.every((d) => typeof d === 'number');
}

export function sameShape(a: readonly Dim[] | null, b: readonly Dim[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Numpy-style broadcast of several shapes; throws when two static sizes conflict. */
export function broadcastShapes(shapes: ReadonlyArray<readonly Dim[]>): Dim[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let dim: Dim = 1;
    for (const s of shapes) {
      const d = s[s.length - rank + i];
      if (d === undefined || d === 1) continue;
      if (dim === 1) dim = d;
      else if (dim !== d) {
        if (typeof dim === 'number' && typeof d === 'number') {
          throw new Error(`cannot broadcast shapes ${shapes.map(formatShape).join(' and ')}`);
        }
        // A symbolic dim against a static one: the symbol must equal it at run time; keep the static one.
        if (typeof d === 'number') dim = d;
      }
    }
    out.push(dim);
  }
  return out;
}

export function formatShape(shape: readonly Dim[] | null): string {
  return shape === null ? '[?]' : `[${shape.join(', ')}]`;
}

export function normalizeAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** Product of dims when all static, else undefined. */
export function staticSize(dims: readonly Dim[]): number | undefined {
  let n = 1;
  for (const d of dims) {
    if (typeof d !== 'number') return undefined;
    n *= d;
  }
  return n;
}
