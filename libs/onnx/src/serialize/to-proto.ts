import {
  AttributeProto,
  AttributeProto_AttributeType,
  GraphProto,
  ModelProto,
  NodeProto,
  TensorProto,
  TensorProto_DataLocation,
  ValueInfoProto,
} from '../proto/index.js';
import { ONNX_DTYPE_CODE } from '../ir/dtype.js';
import type { Attribute, Graph, Model, Value } from '../ir/graph.js';
import { type TensorData, tensorBytes } from '../ir/tensor.js';

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  // ONNX raw_data is little-endian; we copy host bytes as they are.
  throw new Error('@coin/onnx needs a little-endian host');
}

/** Where large initializers go instead of raw_data (ModelProto is limited to 2 GB). */
export interface ExternalDataSink {
  /** Tensors with at least this many bytes go external. */
  readonly thresholdBytes: number;
  /** File name recorded in the model, relative to the model file. */
  readonly location: string;
  /** Receives the bytes; returns the offset at which they were written. */
  append(bytes: Uint8Array): number;
}

const encoder = new TextEncoder();

function tensorToProto(name: string, t: TensorData, external?: ExternalDataSink): TensorProto {
  const bytes = tensorBytes(t);
  const base = { name, dims: [...t.dims], dataType: ONNX_DTYPE_CODE[t.dtype] };
  if (external && bytes.byteLength >= external.thresholdBytes) {
    // Align to 4 KiB like onnx's own writer, so that readers may mmap the file.
    const offset = external.append(bytes);
    return TensorProto.fromPartial({
      ...base,
      dataLocation: TensorProto_DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: external.location },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(bytes.byteLength) },
      ],
    });
  }
  return TensorProto.fromPartial({ ...base, rawData: bytes }); // the protobuf writer copies it
}

/** Static sizes as dim_value, names as dim_param; sizes inference could not tell stay empty. */
function dimToProto(d: number | string) {
  if (typeof d === 'number') return { value: { $case: 'dimValue' as const, value: d } };
  return d.startsWith('?') ? {} : { value: { $case: 'dimParam' as const, value: d } };
}

function valueInfo(v: Value): ValueInfoProto {
  return ValueInfoProto.fromPartial({
    name: v.name,
    type: {
      value: {
        $case: 'tensorType',
        value: {
          elemType: ONNX_DTYPE_CODE[v.dtype],
          shape: v.shape === null ? undefined : { dim: v.shape.map(dimToProto) },
        },
      },
    },
  });
}

function attributeToProto(name: string, a: Attribute, external?: ExternalDataSink): AttributeProto {
  const T = AttributeProto_AttributeType;
  switch (a.kind) {
    case 'int':
      return AttributeProto.fromPartial({ name, type: T.INT, i: a.value });
    case 'float':
      return AttributeProto.fromPartial({ name, type: T.FLOAT, f: a.value });
    case 'string':
      return AttributeProto.fromPartial({ name, type: T.STRING, s: encoder.encode(a.value) });
    case 'ints':
      return AttributeProto.fromPartial({ name, type: T.INTS, ints: [...a.value] });
    case 'floats':
      return AttributeProto.fromPartial({ name, type: T.FLOATS, floats: [...a.value] });
    case 'strings':
      return AttributeProto.fromPartial({ name, type: T.STRINGS, strings: a.value.map((s) => encoder.encode(s)) });
    case 'tensor':
      return AttributeProto.fromPartial({ name, type: T.TENSOR, t: tensorToProto('', a.value) });
    case 'graph':
      return AttributeProto.fromPartial({ name, type: T.GRAPH, g: graphToProto(a.value, external) });
  }
}

function graphToProto(g: Graph, external?: ExternalDataSink): GraphProto {
  return GraphProto.fromPartial({
    name: g.name,
    input: g.inputs.map(valueInfo),
    output: g.outputs.map(valueInfo),
    initializer: [...g.initializers].map(([name, t]) => tensorToProto(name, t, external)),
    valueInfo: [...g.valueInfo.values()].filter((v) => v.shape !== null).map(valueInfo),
    node: g.nodes.map((n) =>
      NodeProto.fromPartial({
        name: n.name,
        opType: n.opType,
        domain: n.domain,
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attributes).map(([k, a]) => attributeToProto(k, a, external)),
      }),
    ),
  });
}

/** Every non-default domain the graph's nodes (and their subgraphs) use; each is imported at version 1 (ORT's com.microsoft). */
function customDomains(g: Graph, found = new Set<string>()): Set<string> {
  for (const n of g.nodes) {
    if (n.domain && n.domain !== 'ai.onnx') found.add(n.domain);
    for (const a of Object.values(n.attributes)) if (a.kind === 'graph') customDomains(a.value, found);
  }
  return found;
}

export function modelToProto(m: Model, external?: ExternalDataSink): ModelProto {
  return ModelProto.fromPartial({
    irVersion: m.irVersion,
    producerName: m.producer,
    docString: m.docString,
    opsetImport: [
      { domain: '', version: m.opset },
      ...[...customDomains(m.graph)].sort().map((domain) => ({ domain, version: 1 })),
    ],
    metadataProps: Object.entries(m.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: graphToProto(m.graph, external),
  });
}
