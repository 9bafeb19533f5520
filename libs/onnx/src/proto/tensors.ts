/**
 * Small helpers for the tensor parts of a ModelProto that every writer needs: float32 tensors
 * stored as raw_data (little-endian, row-major, as the ONNX IR specifies) and tensor value infos.
 */
import { CoinError } from '@coin/core';
import { TensorProto, TensorProto_DataType, ValueInfoProto } from './gen/onnx.js';

/** An initializer holding float32 values in raw_data. `dims` is the shape, row-major. */
export function float32Tensor(name: string, dims: readonly number[], values: ArrayLike<number>): TensorProto {
  const count = dims.reduce((a, b) => a * b, 1);
  if (values.length !== count) {
    throw new CoinError(
      'ONNX.TENSOR_SIZE',
      'INVALID_ARGUMENT',
      `tensor ${name}: shape [${dims.join(', ')}] needs ${count} values, got ${values.length}`,
    );
  }
  const raw = new Uint8Array(count * 4);
  const view = new DataView(raw.buffer);
  for (let k = 0; k < count; k++) view.setFloat32(k * 4, values[k], true);
  return TensorProto.fromPartial({ name, dims: [...dims], dataType: TensorProto_DataType.FLOAT, rawData: raw });
}

/** Reads a FLOAT tensor's values, from raw_data or float_data, whichever holds them. */
export function readFloat32(tensor: TensorProto): Float32Array {
  if (tensor.dataType !== TensorProto_DataType.FLOAT) {
    throw new CoinError(
      'ONNX.TENSOR_TYPE',
      'INVALID_ARGUMENT',
      `tensor ${tensor.name ?? '(unnamed)'} has data_type ${tensor.dataType}, expected FLOAT (1)`,
    );
  }
  const raw = tensor.rawData;
  if (raw === undefined || raw.length === 0) return Float32Array.from(tensor.floatData);
  if (raw.length % 4 !== 0) {
    throw new CoinError(
      'ONNX.TENSOR_SIZE',
      'DATA_LOSS',
      `tensor ${tensor.name ?? '(unnamed)'}: raw_data has ${raw.length} bytes, not a multiple of 4`,
    );
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float32Array(raw.length / 4);
  for (let k = 0; k < out.length; k++) out[k] = view.getFloat32(k * 4, true);
  return out;
}

/**
 * A graph input/output description: element type and shape. A string dim is symbolic
 * (dim_param, e.g. "batch"), a number is fixed (dim_value).
 */
export function tensorValueInfo(
  name: string,
  elemType: TensorProto_DataType,
  dims: readonly (number | string)[],
): ValueInfoProto {
  return ValueInfoProto.fromPartial({
    name,
    type: {
      value: {
        $case: 'tensorType',
        value: {
          elemType,
          shape: {
            dim: dims.map((d) =>
              typeof d === 'number'
                ? { value: { $case: 'dimValue', value: d } }
                : { value: { $case: 'dimParam', value: d } },
            ),
          },
        },
      },
    },
  });
}
