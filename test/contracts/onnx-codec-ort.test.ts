// The real check of the ONNX codec: bytes written by @coin/onnx's encodeModel must load and run in
// onnxruntime (libs/onnx may not import onnxruntime-node, so this lives in test/).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AttributeProto_AttributeType,
  ModelProto,
  TensorProto_DataType,
  decodeModel,
  encodeModel,
  float32Tensor,
  tensorValueInfo,
} from '@coin/onnx';
// test/ (uses:any) may import every adapter's dependency: this loads our bytes into ORT itself, not
// through @coin/runtime's wrappers.
import ort from 'onnxruntime-node';

const W = [1, 2, 3, 4, 5, 6]; // [3, 2] row-major
const B = [0.5, -0.5]; // [2]
const X = [1, 0, -1, 2, 0.25, 4]; // [2, 3]

/** Y[b, n] = sum_k X[b, k] * W[k, n] + B[n], computed here in float64 as the reference. */
function affineReference(): number[] {
  const y: number[] = [];
  for (let b = 0; b < 2; b++) {
    for (let n = 0; n < 2; n++) {
      let acc = B[n];
      for (let k = 0; k < 3; k++) acc += X[b * 3 + k] * W[k * 2 + n];
      y.push(acc);
    }
  }
  return y;
}

function assertClose(actual: ArrayLike<number>, expected: number[], tol = 1e-5): void {
  assert.equal(actual.length, expected.length);
  for (let k = 0; k < expected.length; k++) {
    assert.ok(Math.abs(actual[k] - expected[k]) <= tol, `element ${k}: got ${actual[k]}, expected ${expected[k]}`);
  }
}

async function run(bytes: Uint8Array, x: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const feeds = { X: new ort.Tensor('float32', Float32Array.from(x), [2, 3]) };
    const out = await session.run(feeds);
    assert.deepEqual(out.Y.dims, [2, 2]);
    return out.Y.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('ONNX codec bytes in onnxruntime', () => {
  it('runs Y = MatMul(X, W) + B with raw_data initializers', async () => {
    const model = ModelProto.fromPartial({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      producerName: 'coin-ts-test',
      graph: {
        name: 'affine',
        node: [
          { opType: 'MatMul', input: ['X', 'W'], output: ['XW'] },
          { opType: 'Add', input: ['XW', 'B'], output: ['Y'] },
        ],
        initializer: [float32Tensor('W', [3, 2], W), float32Tensor('B', [2], B)],
        input: [tensorValueInfo('X', TensorProto_DataType.FLOAT, ['batch', 3])],
        output: [tensorValueInfo('Y', TensorProto_DataType.FLOAT, ['batch', 2])],
      },
    });
    const bytes = encodeModel(model);
    assertClose(await run(bytes, X), affineReference());
    // What ORT accepted decodes back to the same model.
    assert.deepEqual(decodeModel(bytes), model);
  });

  it('passes attributes through: Gemm(X, Wt, B, alpha=2, transB=1) with float_data weights', async () => {
    // Wt is W transposed, [2, 3]; stored in float_data (the typed field) instead of raw_data.
    const wt = [1, 3, 5, 2, 4, 6];
    const model = ModelProto.fromPartial({
      irVersion: 9,
      opsetImport: [{ domain: '', version: 19 }],
      graph: {
        name: 'gemm',
        node: [
          {
            opType: 'Gemm',
            input: ['X', 'Wt', 'B'],
            output: ['Y'],
            attribute: [
              { name: 'alpha', type: AttributeProto_AttributeType.FLOAT, f: 2 },
              { name: 'transB', type: AttributeProto_AttributeType.INT, i: 1 },
            ],
          },
        ],
        initializer: [
          { name: 'Wt', dims: [2, 3], dataType: TensorProto_DataType.FLOAT, floatData: wt },
          float32Tensor('B', [2], B),
        ],
        input: [tensorValueInfo('X', TensorProto_DataType.FLOAT, [2, 3])],
        output: [tensorValueInfo('Y', TensorProto_DataType.FLOAT, [2, 2])],
      },
    });
    const expected = affineReference().map((y, k) => 2 * (y - B[k % 2]) + B[k % 2]);
    assertClose(await run(encodeModel(model), X), expected);
  });

  it('keeps zero-valued attributes meaningful (ts-proto omits f = 0 / i = 0 on the wire)', async () => {
    // Gemm(X, W, B, beta=0, transB=0) = X W: if beta=0 were lost, ORT would default it to 1 and add B.
    const model = ModelProto.fromPartial({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'gemm-zero',
        node: [
          {
            opType: 'Gemm',
            input: ['X', 'W', 'B'],
            output: ['Y'],
            attribute: [
              { name: 'beta', type: AttributeProto_AttributeType.FLOAT, f: 0 },
              { name: 'transB', type: AttributeProto_AttributeType.INT, i: 0 },
            ],
          },
        ],
        initializer: [float32Tensor('W', [3, 2], W), float32Tensor('B', [2], [100, 100])],
        input: [tensorValueInfo('X', TensorProto_DataType.FLOAT, [2, 3])],
        output: [tensorValueInfo('Y', TensorProto_DataType.FLOAT, [2, 2])],
      },
    });
    const expected = affineReference().map((y, k) => y - B[k % 2]);
    assertClose(await run(encodeModel(model), X), expected);
  });

  it('ORT rejects an encoded graph that consumes an undefined value', async () => {
    const model = ModelProto.fromPartial({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'broken',
        node: [{ opType: 'Relu', input: ['Nope'], output: ['Y'] }],
        input: [tensorValueInfo('X', TensorProto_DataType.FLOAT, [2, 3])],
        output: [tensorValueInfo('Y', TensorProto_DataType.FLOAT, [2, 3])],
      },
    });
    await assert.rejects(ort.InferenceSession.create(encodeModel(model)));
  });
});
