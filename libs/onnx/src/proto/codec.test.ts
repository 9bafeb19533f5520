import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoinError } from '@coin/core';
import { decodeModel, encodeModel } from './codec.js';
import { ModelProto, OperatorSetIdProto, TensorProto_DataType } from './gen/onnx.js';
import { float32Tensor, readFloat32, tensorValueInfo } from './tensors.js';

/** Y = MatMul(X, W) + B with X [batch, 3], W [3, 2] and B [2] as raw_data initializers. */
function affineModel(): ModelProto {
  return ModelProto.fromPartial({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'coin-ts-test',
    producerVersion: '0.1.0',
    modelVersion: 1,
    docString: 'Y = X W + B',
    metadataProps: [{ key: 'purpose', value: 'codec round trip' }],
    graph: {
      name: 'affine',
      node: [
        { name: 'matmul', opType: 'MatMul', input: ['X', 'W'], output: ['XW'] },
        { name: 'add', opType: 'Add', input: ['XW', 'B'], output: ['Y'] },
      ],
      initializer: [float32Tensor('W', [3, 2], [1, 2, 3, 4, 5, 6]), float32Tensor('B', [2], [0.5, -0.5])],
      input: [tensorValueInfo('X', TensorProto_DataType.FLOAT, ['batch', 3])],
      output: [tensorValueInfo('Y', TensorProto_DataType.FLOAT, ['batch', 2])],
    },
  });
}

describe('ONNX ModelProto codec', () => {
  it('round-trips a hand-built model', () => {
    const model = affineModel();
    const bytes = encodeModel(model);
    const back = decodeModel(bytes);
    assert.deepEqual(back, model);
    assert.deepEqual([...readFloat32(back.graph!.initializer[0])], [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(
      back.graph!.input[0].type?.value?.value.shape?.dim.map((d) => d.value?.value),
      ['batch', 3],
    );
  });

  it('writes the official field numbers (ir_version = field 1, opset_import = field 8)', () => {
    // 0x08 = field 1 varint, 0x42 = field 8 length-delimited; OperatorSetIdProto version = field 2.
    const bytes = encodeModel(ModelProto.fromPartial({ irVersion: 9, opsetImport: [{ domain: '', version: 17 }] }));
    assert.deepEqual([...bytes], [0x08, 9, 0x42, 2, 0x10, 17]);
    assert.deepEqual([...OperatorSetIdProto.encode({ domain: 'ai.onnx', version: 1 }).finish()].slice(0, 2), [0x0a, 7]);
  });

  it('stores float32 raw_data little-endian', () => {
    const t = float32Tensor('one', [1], [1]);
    assert.deepEqual([...t.rawData!], [0x00, 0x00, 0x80, 0x3f]);
  });

  it('rejects truncated bytes with ONNX.DECODE_FAILED (DATA_LOSS)', () => {
    const bytes = encodeModel(affineModel());
    for (const cut of [bytes.length - 1, Math.floor(bytes.length / 2), 3]) {
      assert.throws(
        () => decodeModel(bytes.subarray(0, cut), 'model.onnx'),
        (e: unknown) =>
          e instanceof CoinError &&
          e.code === 'ONNX.DECODE_FAILED' &&
          e.kind === 'DATA_LOSS' &&
          /model\.onnx/.test(e.message),
        `cut at ${cut}`,
      );
    }
  });

  it('rejects garbage and empty input', () => {
    const garbage = new TextEncoder().encode('this is not a protobuf at all, just some text\n');
    for (const bytes of [
      garbage,
      new Uint8Array(0),
      new Uint8Array([0xff, 0xff, 0xff]),
      new Uint8Array([0x08, 0x08, 0x00, 0x01]),
    ]) {
      assert.throws(
        () => decodeModel(bytes),
        (e: unknown) => e instanceof CoinError && e.code === 'ONNX.DECODE_FAILED',
      );
    }
  });

  it('rejects a float32 tensor whose value count does not match its shape', () => {
    assert.throws(() => float32Tensor('W', [2, 2], [1, 2, 3]), /needs 4 values, got 3/);
  });
});
