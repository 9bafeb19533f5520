import type { GraphBuilder, TensorData, Value } from '@coin/onnx';

/** Named model weights held on the host (base checkpoint, adapters). */
export type WeightMap = Map<string, TensorData>;

/**
 * Resolves a weight name to a graph value: the trainable view when the name is being trained,
 * else a frozen initializer created once per graph.
 */
export class WeightSource {
  private readonly frozen = new Map<string, Value>();

  constructor(
    readonly b: GraphBuilder,
    private readonly weights: ReadonlyMap<string, TensorData>,
    private readonly trainable: ReadonlyMap<string, Value> = new Map(),
  ) {}

  has(name: string): boolean {
    return this.trainable.has(name) || this.weights.has(name);
  }

  get(name: string): Value {
    const t = this.trainable.get(name);
    if (t) return t;
    let v = this.frozen.get(name);
    if (!v) {
      const data = this.weights.get(name);
      if (!data) throw new Error(`model weight ${name} is missing`);
      v = this.b.initializer(name, data);
      this.frozen.set(name, v);
    }
    return v;
  }
}
