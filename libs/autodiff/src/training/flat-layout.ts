/** Where each trainable parameter lives inside the flat parameter vector. */
export interface ParamSlot {
  readonly name: string;
  readonly dims: readonly number[];
  readonly offset: number;
  readonly size: number;
  /** Whether AdamW's decoupled weight decay applies (not for norms and biases, by convention). */
  readonly decay: boolean;
}

export interface ParamSpec {
  readonly name: string;
  readonly dims: readonly number[];
  readonly decay?: boolean;
}

/** Lays parameters out contiguously in the given order. */
export function layoutParams(params: readonly ParamSpec[]): { slots: ParamSlot[]; total: number } {
  const seen = new Set<string>();
  let offset = 0;
  const slots = params.map((p) => {
    if (seen.has(p.name)) throw new Error(`parameter ${p.name} listed twice`);
    seen.add(p.name);
    const size = p.dims.reduce((a, d) => a * d, 1);
    const slot: ParamSlot = { name: p.name, dims: [...p.dims], offset, size, decay: p.decay ?? true };
    offset += size;
    return slot;
  });
  return { slots, total: offset };
}
