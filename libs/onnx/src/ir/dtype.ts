/**
 * Element types the engine uses, with their ONNX TensorProto.DataType codes
 * (https://onnx.ai/onnx/api/mapping.html) and host array types.
 */
export type DType = 'float32' | 'float64' | 'float16' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

export const ONNX_DTYPE_CODE: Readonly<Record<DType, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
};

const CODE_TO_DTYPE = new Map<number, DType>(Object.entries(ONNX_DTYPE_CODE).map(([k, v]) => [v, k as DType]));

export function dtypeFromOnnxCode(code: number): DType {
  const d = CODE_TO_DTYPE.get(code);
  if (!d) throw new Error(`unsupported ONNX element type ${code}`);
  return d;
}

/** The typed array that holds each dtype. bool and uint8 share Uint8Array; float16 is raw IEEE half bits. */
export interface DTypeArrays {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  int64: BigInt64Array;
  bool: Uint8Array;
  uint8: Uint8Array;
  int8: Int8Array;
  float16: Uint16Array;
}

export type AnyTypedArray = DTypeArrays[DType];

type ArrayCtor<D extends DType> = {
  new (length: number): DTypeArrays[D];
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): DTypeArrays[D];
  readonly name: string;
};

/** The typed-array class of each dtype: the one place that maps dtypes to host arrays. */
export const DTYPE_ARRAYS: { readonly [D in DType]: ArrayCtor<D> } = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: BigInt64Array,
  bool: Uint8Array,
  uint8: Uint8Array,
  int8: Int8Array,
  float16: Uint16Array,
};

/** Bytes per element. */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = {
  float32: 4,
  float64: 8,
  float16: 2,
  int64: 8,
  int32: 4,
  int8: 1,
  uint8: 1,
  bool: 1,
};

export function isFloat(d: DType): boolean {
  return d === 'float32' || d === 'float64' || d === 'float16';
}

export function allocateArray<D extends DType>(dtype: D, length: number): DTypeArrays[D] {
  return new DTYPE_ARRAYS[dtype](length) as DTypeArrays[D];
}
