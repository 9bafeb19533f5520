import { CoinError } from '@coin/core';
import {
  type AttributeProto,
  AttributeProto_AttributeType,
  type GraphProto,
  type ModelProto,
  type TensorProto,
  TensorProto_DataLocation,
  type ValueInfoProto,
} from '../proto/index.js';
import { allocateArray, DTYPE_BYTES, dtypeFromOnnxCode } from '../ir/dtype.js';
import type { Attribute, Dim, Graph, Model, Node, Value } from '../ir/graph.js';
import { numel, type TensorData } from '../ir/tensor.js';

/** Resolves external-data locations to their bytes (reads the file next to the model). */
export type ExternalDataSource = (location: string, offset: number, length: number) => Uint8Array;

const decoder = new TextDecoder();

function bad(message: string): CoinError {
  return new CoinError('ONNX.UNSUPPORTED_MODEL', 'INVALID_ARGUMENT', message, {
    hint: 'CoIN-TS reads float/int tensors stored as raw_data, typed fields or external data',
  });
}

function tensorFromProto(t: TensorProto, external?: ExternalDataSource): TensorData {
  const dtype = dtypeFromOnnxCode(t.dataType ?? 0);
  const dims = t.dims.map(Number);
  const n = numel(dims);
  const data = allocateArray(dtype, n);
  const target = new Uint8Array(data.buffer);
  let raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  if (t.dataLocation === TensorProto_DataLocation.EXTERNAL) {
    const entry = (k: string) => t.externalData.find((e) => e.key === k)?.value;
    const location = entry('location');
    if (!location || !external)
      throw bad(`tensor ${t.name}: external data ${location ?? '(no location)'} cannot be resolved here`);
    raw = external(location, Number(entry('offset') ?? 0), Number(entry('length') ?? n * DTYPE_BYTES[dtype]));
  }
  if (raw) {
    if (raw.length !== target.length) {
      throw new CoinError(
        'ONNX.TENSOR_SIZE',
        'DATA_LOSS',
        `tensor ${t.name}: ${raw.length} bytes of data for ${dtype}[${dims.join(', ')}] (${target.length} bytes)`,
      );
    }
    target.set(raw);
    return { dtype, dims, data };
  }
  const typed: ArrayLike<number> =
    dtype === 'float32'
      ? t.floatData
      : dtype === 'float64'
        ? t.doubleData
        : dtype === 'int64'
          ? t.int64Data
          : t.int32Data;
  if (typed.length !== n) throw bad(`tensor ${t.name}: ${typed.length} values for ${dtype}[${dims.join(', ')}]`);
  for (let i = 0; i < n; i++)
    (data as unknown as { [k: number]: number | bigint })[i] = dtype === 'int64' ? BigInt(typed[i]) : typed[i];
  return { dtype, dims, data };
}

function valueFromProto(v: ValueInfoProto): Value {
  const tt = v.type?.value?.$case === 'tensorType' ? v.type.value.value : undefined;
  if (!tt) throw bad(`value ${v.name}: only tensor types are supported`);
  const shape: Dim[] | null = tt.shape
    ? tt.shape.dim.map((d, i) =>
        d.value?.$case === 'dimValue'
          ? d.value.value
          : d.value?.$case === 'dimParam'
            ? d.value.value
            : `?${v.name}:${i}`,
      )
    : null;
  return { name: v.name ?? '', dtype: dtypeFromOnnxCode(tt.elemType ?? 0), shape };
}

function attributeFromProto(a: AttributeProto, external?: ExternalDataSource): Attribute {
  const T = AttributeProto_AttributeType;
  switch (a.type) {
    case T.INT:
      return { kind: 'int', value: a.i ?? 0 };
    case T.FLOAT:
      return { kind: 'float', value: a.f ?? 0 };
    case T.STRING:
      return { kind: 'string', value: decoder.decode(a.s ?? new Uint8Array()) };
    case T.INTS:
      return { kind: 'ints', value: a.ints.map(Number) };
    case T.FLOATS:
      return { kind: 'floats', value: [...a.floats] };
    case T.STRINGS:
      return { kind: 'strings', value: a.strings.map((s) => decoder.decode(s)) };
    case T.TENSOR:
      return { kind: 'tensor', value: tensorFromProto(a.t!, external) };
    case T.GRAPH:
      return { kind: 'graph', value: graphFromProto(a.g!, external) };
    default:
      throw bad(`attribute ${a.name}: type ${a.type} is not supported`);
  }
}

function graphFromProto(g: GraphProto, external?: ExternalDataSource): Graph {
  const initializers = new Map(g.initializer.map((t) => [t.name ?? '', tensorFromProto(t, external)] as const));
  const nodes: Node[] = g.node.map((n, i) => ({
    name: n.name || `node_${i}`,
    opType: n.opType ?? '',
    domain: n.domain ?? '',
    inputs: [...n.input],
    outputs: [...n.output],
    attributes: Object.fromEntries(n.attribute.map((a) => [a.name ?? '', attributeFromProto(a, external)])),
  }));
  return {
    name: g.name ?? 'graph',
    // Inputs that are also initializers are defaults, not feeds; keep them as initializers only.
    inputs: g.input.filter((v) => !initializers.has(v.name ?? '')).map(valueFromProto),
    outputs: g.output.map(valueFromProto),
    initializers,
    nodes,
    valueInfo: new Map(g.valueInfo.map((v) => [v.name ?? '', valueFromProto(v)] as const)),
  };
}

export function modelFromProto(m: ModelProto, external?: ExternalDataSource): Model {
  const opset = m.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx')?.version;
  if (opset === undefined) throw bad('the model imports no default-domain opset');
  return {
    graph: graphFromProto(m.graph!, external),
    opset: Number(opset),
    irVersion: Number(m.irVersion),
    producer: m.producerName ?? '',
    docString: m.docString,
    metadata: Object.fromEntries(m.metadataProps.map((e) => [e.key ?? '', e.value ?? ''])),
  };
}
