/**
 * A framework-free host tensor: a dtype, a shape and a typed array in row-major (C) order.
 * Every project passes tensors around as HostTensor so that only libs/runtime knows about
 * onnxruntime-node's Tensor class.
 */
import { CoinError } from '@coin/core';
import { allocateArray, type DType, DTYPE_ARRAYS, DTYPE_BYTES, type DTypeArrays, tensorBytes } from '@coin/onnx';

// One definition of the element types, their arrays and sizes for the whole project (libs/onnx).
export { type DType, DTYPE_BYTES, type DTypeArrays, tensorBytes };

export type TensorData = DTypeArrays[DType];

export interface HostTensor {
  dtype: DType;
  dims: readonly number[];
  data: TensorData;
}

/** A HostTensor whose data type follows from its dtype. */
export interface TypedHostTensor<D extends DType> extends HostTensor {
  dtype: D;
  data: DTypeArrays[D];
}

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'int64', 'bool', 'uint8', 'int8', 'float16'];

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

/** Number of elements of a shape; [] is a scalar (1 element). Throws on a negative or fractional dim. */
export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i];
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new CoinError(
        'TENSOR.BAD_DIMS',
        'INVALID_ARGUMENT',
        `dims[${i}] = ${d} in [${dims.join(', ')}] is not a non-negative integer`,
        {
          details: { dims: [...dims] },
        },
      );
    }
    n *= d;
  }
  if (!Number.isSafeInteger(n)) {
    throw new CoinError(
      'TENSOR.BAD_DIMS',
      'INVALID_ARGUMENT',
      `shape [${dims.join(', ')}] has more elements than fit a safe integer`,
    );
  }
  return n;
}

/** A zero-filled typed array for `length` elements of `dtype`. */
export function allocate<D extends DType>(dtype: D, length: number): DTypeArrays[D] {
  return allocateArray(dtype, length);
}

/** True when `data` is the typed array class that holds `dtype`. */
function dataMatchesDType(dtype: DType, data: TensorData): boolean {
  return data instanceof DTYPE_ARRAYS[dtype];
}

/**
 * Builds a tensor, allocating zeros when `data` is omitted. Rejects a data array of the wrong class
 * or length: a silent mismatch here would surface much later as a wrong number inside ORT.
 */
export function hostTensor<D extends DType>(
  dtype: D,
  dims: readonly number[],
  data?: DTypeArrays[D],
): TypedHostTensor<D> {
  if (!isDType(dtype)) {
    throw new CoinError('TENSOR.BAD_DTYPE', 'INVALID_ARGUMENT', `unknown dtype ${JSON.stringify(dtype)}`, {
      hint: `use one of ${DTYPES.join(', ')}`,
    });
  }
  const n = sizeOf(dims);
  if (data === undefined) return { dtype, dims: [...dims], data: allocate(dtype, n) };
  if (!dataMatchesDType(dtype, data)) {
    throw new CoinError(
      'TENSOR.BAD_DATA',
      'INVALID_ARGUMENT',
      `a ${dtype} tensor needs a ${DTYPE_ARRAYS[dtype].name}, got ${data.constructor.name}`,
    );
  }
  if (data.length !== n) {
    throw new CoinError(
      'TENSOR.BAD_DATA',
      'INVALID_ARGUMENT',
      `a ${dtype} tensor of dims [${dims.join(', ')}] needs ${n} elements, got ${data.length}`,
      {
        hint: 'the data length must equal the product of dims',
        details: { dims: [...dims], expected: n, actual: data.length },
      },
    );
  }
  return { dtype, dims: [...dims], data };
}

/** True when both tensors have the same dtype, dims and bit-identical data (NaN payloads and -0 included). */
export function tensorsBitEqual(a: HostTensor, b: HostTensor): boolean {
  if (a.dtype !== b.dtype || a.dims.length !== b.dims.length) return false;
  if (a.dims.some((d, i) => d !== b.dims[i])) return false;
  return Buffer.compare(tensorBytes(a), tensorBytes(b)) === 0;
}
