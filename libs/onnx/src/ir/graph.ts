import type { DType } from './dtype.js';
import type { TensorData } from './tensor.js';

/** A dimension: a static size or a symbolic name (`batch`, `seq`). */
export type Dim = number | string;
/** A shape; `null` when even the rank is unknown. */
export type Shape = readonly Dim[] | null;

/** A named value flowing through a graph: graph input, initializer or node output. */
export interface Value {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: Shape;
}

/** Attribute values, tagged because ONNX distinguishes int from float and one from many. */
export type Attribute =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'strings'; readonly value: readonly string[] }
  | { readonly kind: 'tensor'; readonly value: TensorData }
  | { readonly kind: 'graph'; readonly value: Graph };

export const attr = {
  int: (value: number): Attribute => {
    if (!Number.isInteger(value)) throw new Error(`attr.int: ${value} is not an integer`);
    return { kind: 'int', value };
  },
  float: (value: number): Attribute => ({ kind: 'float', value }),
  string: (value: string): Attribute => ({ kind: 'string', value }),
  ints: (value: readonly number[]): Attribute => {
    if (!value.every(Number.isInteger)) throw new Error(`attr.ints: [${value.join(', ')}] holds a non-integer`);
    return { kind: 'ints', value: [...value] };
  },
  floats: (value: readonly number[]): Attribute => ({ kind: 'floats', value: [...value] }),
  strings: (value: readonly string[]): Attribute => ({ kind: 'strings', value: [...value] }),
  tensor: (value: TensorData): Attribute => ({ kind: 'tensor', value }),
  graph: (value: Graph): Attribute => ({ kind: 'graph', value }),
};

export type Attributes = Readonly<Record<string, Attribute>>;

/** One operator application. Input name '' marks an omitted optional input, as in ONNX. */
export interface Node {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Attributes;
}

/** A graph (the main graph or a Loop/If body). Nodes are in topological order. */
export interface Graph {
  readonly name: string;
  readonly inputs: readonly Value[];
  readonly outputs: readonly Value[];
  readonly initializers: ReadonlyMap<string, TensorData>;
  readonly nodes: readonly Node[];
  /** Types of intermediate values, for readers (printer, shape checks) and for ONNX value_info. */
  readonly valueInfo: ReadonlyMap<string, Value>;
}

/** A model: a graph plus the opset it targets. */
export interface Model {
  readonly graph: Graph;
  readonly opset: number;
  readonly irVersion: number;
  readonly producer: string;
  readonly docString?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export function getInt(attrs: Attributes, name: string, fallback: number): number;
export function getInt(attrs: Attributes, name: string): number | undefined;
export function getInt(attrs: Attributes, name: string, fallback?: number): number | undefined {
  const a = attrs[name];
  if (a === undefined) return fallback;
  if (a.kind !== 'int') throw new Error(`attribute ${name} is ${a.kind}, expected int`);
  return a.value;
}

export function getInts(attrs: Attributes, name: string): readonly number[] | undefined {
  const a = attrs[name];
  if (a === undefined) return undefined;
  if (a.kind !== 'ints') throw new Error(`attribute ${name} is ${a.kind}, expected ints`);
  return a.value;
}

export function getFloat(attrs: Attributes, name: string, fallback: number): number {
  const a = attrs[name];
  if (a === undefined) return fallback;
  if (a.kind !== 'float') throw new Error(`attribute ${name} is ${a.kind}, expected float`);
  return a.value;
}
