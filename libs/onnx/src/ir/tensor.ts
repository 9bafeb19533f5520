import { type AnyTypedArray, allocateArray, type DType } from './dtype.js';

/** A concrete tensor held on the host: initializers, constants, attribute values. */
export interface TensorData {
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly data: AnyTypedArray;
}

export function numel(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function tensor(
  dtype: DType,
  dims: readonly number[],
  values?: ArrayLike<number> | ArrayLike<bigint> | AnyTypedArray,
): TensorData {
  const n = numel(dims);
  const data = allocateArray(dtype, n);
  if (values !== undefined) {
    if (values.length !== n)
      throw new Error(`tensor: ${values.length} values for dims [${dims.join(', ')}] (${n} elements)`);
    if (data instanceof BigInt64Array) {
      for (let i = 0; i < n; i++) data[i] = BigInt((values as ArrayLike<number | bigint>)[i]);
    } else {
      for (let i = 0; i < n; i++) data[i] = Number((values as ArrayLike<number | bigint>)[i]);
    }
  }
  return { dtype, dims: [...dims], data };
}

/** The bytes of a tensor's data as they lie in memory (little-endian on every supported host). */
export function tensorBytes(t: { readonly data: AnyTypedArray }): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** Scalar (rank 0) tensor. */
export function scalar(dtype: DType, value: number): TensorData {
  return tensor(dtype, [], [value]);
}

export function toNumbers(t: TensorData): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}
