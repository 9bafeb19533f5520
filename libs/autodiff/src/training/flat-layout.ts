import { CoinError } from '@coin/core';
import { flatLayout, type FlatEntry, type FlatLayout } from '@coin/runtime';

/** Where a trainable parameter lives inside the flat parameter vector, and whether it decays. */
export interface ParamSlot extends FlatEntry {
  /** Whether AdamW's decoupled weight decay applies (not for norms and biases, by convention). */
  readonly decay: boolean;
  /** Position of this parameter's learning-rate group in `groups` (the graph's rate vector). */
  readonly groupIndex: number;
}

/** The group of a parameter whose spec names none. */
export const DEFAULT_GROUP = 'default';

export interface ParamSpec {
  readonly name: string;
  readonly dims: readonly number[];
  readonly decay?: boolean;
  /** Learning-rate group (e.g. 'projector' with its own rate); default `'default'`. */
  readonly group?: string;
}

/**
 * Lays the trainable parameters out in one flat vector with libs/runtime's layout (ordered by
 * name, so the graph's offsets match buffers packed later by anyone holding the same names).
 */
export function layoutParams(params: readonly ParamSpec[]): {
  layout: FlatLayout;
  slots: ParamSlot[];
  /** Learning-rate groups, sorted by name: the order of the graph's rate vector. */
  groups: string[];
} {
  const shapes: Record<string, readonly number[]> = {};
  const byName = new Map<string, ParamSpec>();
  for (const p of params) {
    if (p.name in shapes)
      throw new CoinError('TRAIN.DUPLICATE_PARAM', 'INVALID_ARGUMENT', `parameter ${p.name} listed twice`);
    if (p.group === '')
      throw new CoinError('TRAIN.BAD_GROUP', 'INVALID_ARGUMENT', `parameter ${p.name} has an empty group name`);
    shapes[p.name] = p.dims;
    byName.set(p.name, p);
  }
  const groups = [...new Set(params.map((p) => p.group ?? DEFAULT_GROUP))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const layout = flatLayout(shapes);
  const slots = layout.entries.map((e) => {
    const p = byName.get(e.name)!;
    return { ...e, decay: p.decay ?? true, groupIndex: groups.indexOf(p.group ?? DEFAULT_GROUP) };
  });
  return { layout, slots, groups };
}

/** Whether two layouts place the same parameters with the same shapes at the same offsets. */
export function sameLayout(a: FlatLayout, b: FlatLayout): boolean {
  return (
    a.total === b.total &&
    a.entries.length === b.entries.length &&
    a.entries.every((e, i) => {
      const o = b.entries[i];
      return e.name === o.name && e.offset === o.offset && e.dims.join(',') === o.dims.join(',');
    })
  );
}
