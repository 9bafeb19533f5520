import { CoinError } from '@coin/core';
import { flatLayout, type FlatEntry, type FlatLayout } from '@coin/runtime';

/** Where a trainable parameter lives inside the flat parameter vector, and whether it decays. */
export interface ParamSlot extends FlatEntry {
  /** Whether AdamW's decoupled weight decay applies (not for norms and biases, by convention). */
  readonly decay: boolean;
}

export interface ParamSpec {
  readonly name: string;
  readonly dims: readonly number[];
  readonly decay?: boolean;
}

/**
 * Lays the trainable parameters out in one flat vector with libs/runtime's layout (ordered by
 * name, so the graph's offsets match buffers packed later by anyone holding the same names).
 */
export function layoutParams(params: readonly ParamSpec[]): { layout: FlatLayout; slots: ParamSlot[] } {
  const shapes: Record<string, readonly number[]> = {};
  const decay = new Map<string, boolean>();
  for (const p of params) {
    if (p.name in shapes)
      throw new CoinError('TRAIN.DUPLICATE_PARAM', 'INVALID_ARGUMENT', `parameter ${p.name} listed twice`);
    shapes[p.name] = p.dims;
    decay.set(p.name, p.decay ?? true);
  }
  const layout = flatLayout(shapes);
  return { layout, slots: layout.entries.map((e) => ({ ...e, decay: decay.get(e.name)! })) };
}
