import { inferOutputs } from '../shape/infer.js';
import type { DType } from './dtype.js';
import { type Attributes, type Graph, type Model, type Node, type Shape, type Value } from './graph.js';
import { type TensorData, tensor } from './tensor.js';

export interface OpOptions {
  /** Output names (default: generated from the scope and op type). */
  readonly names?: ReadonlyArray<string | undefined>;
  /** Output types, required for ops without a shape rule (Loop, If, custom domains). */
  readonly types?: ReadonlyArray<{ dtype: DType; shape: Shape }>;
  readonly domain?: string;
}

export const DEFAULT_OPSET = 18;
export const DEFAULT_IR_VERSION = 8;

/**
 * Builds a graph node by node, inferring each output's dtype and shape as it goes so that shape
 * errors surface at the line that caused them, not inside ONNX Runtime.
 */
export class GraphBuilder {
  private readonly nodes: Node[] = [];
  private readonly inputs: Value[] = [];
  private readonly outputs: Value[] = [];
  private readonly initializers = new Map<string, TensorData>();
  private readonly values = new Map<string, Value>();
  private readonly constants = new Map<string, TensorData>();
  private readonly constantCache = new Map<string, Value>();
  /** Shared by a graph and all its subgraphs: ONNX wants names unique across scopes. */
  private readonly usedNames: Set<string>;
  private readonly scopes: string[] = [];
  private counter = 0;

  constructor(
    readonly name: string,
    /** For Loop/If bodies: the enclosing graph, whose values the body may reference. */
    readonly parent?: GraphBuilder,
  ) {
    this.usedNames = parent ? parent.usedNames : new Set<string>();
  }

  /** Runs `fn` with names prefixed by `scope/` (nested scopes join with '/'). */
  scope<T>(scope: string, fn: () => T): T {
    this.scopes.push(scope);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  /** A fresh, unique value name under the current scope. */
  freshName(base: string): string {
    const prefix = this.scopes.length ? `${this.scopes.join('/')}/` : '';
    let name = `${prefix}${base}`;
    while (this.isTaken(name)) name = `${prefix}${base}_${++this.counter}`;
    this.usedNames.add(name);
    return name;
  }

  private isTaken(name: string): boolean {
    return this.usedNames.has(name);
  }

  private claim(name: string): string {
    if (this.isTaken(name)) throw new Error(`value name ${JSON.stringify(name)} is already used in graph ${this.name}`);
    this.usedNames.add(name);
    return name;
  }

  input(name: string, dtype: DType, shape: Shape): Value {
    const v: Value = { name: this.claim(name), dtype, shape };
    this.inputs.push(v);
    this.values.set(v.name, v);
    return v;
  }

  initializer(name: string, data: TensorData): Value {
    return this.addInitializer(this.claim(name), data);
  }

  private addInitializer(name: string, data: TensorData): Value {
    const v: Value = { name, dtype: data.dtype, shape: [...data.dims] };
    this.initializers.set(v.name, data);
    this.constants.set(v.name, data);
    this.values.set(v.name, v);
    return v;
  }

  /**
   * A constant (stored as an initializer). Small constants with equal contents are shared; a larger
   * one is shared when the caller names what determines it (`cacheKey`, e.g. `causal:64x64`), so
   * that per-layer helpers do not store one copy per layer.
   */
  constant(data: TensorData, base = 'const', cacheKey?: string): Value {
    const key =
      cacheKey !== undefined
        ? `key:${cacheKey}`
        : data.data.length <= 16
          ? `${data.dtype}[${data.dims.join(',')}]${Array.from(data.data as ArrayLike<number | bigint>).join(',')}`
          : undefined;
    const cached = key === undefined ? undefined : this.constantCache.get(key);
    if (cached) return cached;
    const v = this.addInitializer(this.freshName(base), data);
    if (key !== undefined) this.constantCache.set(key, v);
    return v;
  }

  /** A 1-D int64 constant, the form ONNX wants for shapes, axes, starts and ends. */
  i64(values: readonly number[]): Value {
    return this.constant(tensor('int64', [values.length], values), 'i64');
  }

  /** A rank-0 constant of the given dtype. */
  scalar(dtype: DType, value: number): Value {
    return this.constant(tensor(dtype, [], [value]), 'scalar');
  }

  /** The known value of a constant, searching enclosing graphs. */
  constOf(v: Value | string | undefined): TensorData | undefined {
    if (v === undefined) return undefined;
    const name = typeof v === 'string' ? v : v.name;
    return this.constants.get(name) ?? this.parent?.constOf(name);
  }

  valueOf(name: string): Value | undefined {
    return this.values.get(name) ?? this.parent?.valueOf(name);
  }

  /** Adds a node with one output and returns it. */
  op(opType: string, inputs: ReadonlyArray<Value | undefined>, attrs: Attributes = {}, options: OpOptions = {}): Value {
    return this.opN(opType, inputs, 1, attrs, options)[0];
  }

  /** Adds a node with `outputCount` outputs. `undefined` inputs are omitted optional inputs. */
  opN(
    opType: string,
    inputs: ReadonlyArray<Value | undefined>,
    outputCount: number,
    attrs: Attributes = {},
    options: OpOptions = {},
  ): Value[] {
    for (const v of inputs) {
      if (v && !this.valueOf(v.name))
        throw new Error(`${opType}: input ${v.name} does not belong to graph ${this.name}`);
    }
    const types =
      options.types ??
      inferOutputs({ opType, inputs, attrs, outputCount, constOf: (i) => this.constOf(inputs[i]) }) ??
      (() => {
        throw new Error(`${opType}: no shape rule; pass the output types explicitly`);
      })();
    if (types.length < outputCount)
      throw new Error(`${opType}: expected ${outputCount} output types, got ${types.length}`);
    const outs: Value[] = [];
    for (let i = 0; i < outputCount; i++) {
      const given = options.names?.[i];
      const name = given !== undefined ? this.claim(given) : this.freshName(opType.toLowerCase());
      const v: Value = { name, dtype: types[i].dtype, shape: types[i].shape };
      this.values.set(name, v);
      outs.push(v);
    }
    // A Constant node's value is known at build time, like an initializer.
    if (opType === 'Constant' && attrs.value?.kind === 'tensor') this.constants.set(outs[0].name, attrs.value.value);
    this.nodes.push({
      name: this.freshName(`${opType}_node`),
      opType,
      domain: options.domain ?? '',
      inputs: inputs.map((v) => v?.name ?? ''),
      outputs: outs.map((v) => v.name),
      attributes: attrs,
    });
    return outs;
  }

  /** Marks `v` as a graph output, under `name` (adding an Identity when the name differs). */
  output(v: Value, name?: string): Value {
    const out = name === undefined || name === v.name ? v : this.op('Identity', [v], {}, { names: [name] });
    this.outputs.push(out);
    return out;
  }

  /** Nodes added so far, in order (the autodiff walks them backwards). */
  get nodeList(): readonly Node[] {
    return this.nodes;
  }

  build(): Graph {
    const declared = new Set([
      ...this.inputs.map((v) => v.name),
      ...this.initializers.keys(),
      ...this.outputs.map((v) => v.name),
    ]);
    const valueInfo = new Map<string, Value>();
    for (const [name, v] of this.values) if (!declared.has(name)) valueInfo.set(name, v);
    return {
      name: this.name,
      inputs: [...this.inputs],
      outputs: [...this.outputs],
      initializers: new Map(this.initializers),
      nodes: [...this.nodes],
      valueInfo,
    };
  }

  model(
    options: { opset?: number; producer?: string; docString?: string; metadata?: Record<string, string> } = {},
  ): Model {
    return {
      graph: this.build(),
      opset: options.opset ?? DEFAULT_OPSET,
      irVersion: DEFAULT_IR_VERSION,
      producer: options.producer ?? 'coin-ts',
      docString: options.docString,
      metadata: options.metadata,
    };
  }
}
