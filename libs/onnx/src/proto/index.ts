/**
 * The ONNX IR codec: ts-proto types generated from ./onnx.proto (official ONNX names and field
 * numbers, so the bytes are real ONNX) plus encode/decode with CoinError on bad input.
 * Build messages with `X.fromPartial({...})`, which fills the empty repeated fields.
 * Regenerate ./gen with `npm run gen`; never edit it by hand.
 */
export {
  AttributeProto,
  AttributeProto_AttributeType,
  FunctionProto,
  GraphProto,
  ModelProto,
  NodeProto,
  OperatorSetIdProto,
  SparseTensorProto,
  StringStringEntryProto,
  TensorProto,
  TensorProto_DataLocation,
  TensorProto_DataType,
  TensorShapeProto,
  TensorShapeProto_Dimension,
  TypeProto,
  TypeProto_Tensor,
  ValueInfoProto,
  Version as OnnxIrVersion,
} from './gen/onnx.js';
export { decodeModel, encodeModel } from './codec.js';
export { float32Tensor, readFloat32, tensorValueInfo } from './tensors.js';
