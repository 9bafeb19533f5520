import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoinError } from '@coin/core';
import { allocate, hostTensor, sizeOf, tensorBytes, tensorsBitEqual } from './tensor.js';

describe('sizeOf', () => {
  it('multiplies dims; a scalar has one element and a zero dim none', () => {
    assert.equal(sizeOf([2, 3, 4]), 24);
    assert.equal(sizeOf([]), 1);
    assert.equal(sizeOf([5, 0, 7]), 0);
  });
  it('rejects negative and fractional dims, naming the position', () => {
    assert.throws(
      () => sizeOf([2, -1]),
      (e: unknown) => e instanceof CoinError && e.code === 'TENSOR.BAD_DIMS' && /dims\[1\] = -1/.test(e.message),
    );
    assert.throws(() => sizeOf([1.5]), /dims\[0\] = 1.5/);
  });
});

describe('hostTensor', () => {
  it('allocates zeros of the right typed array for every dtype', () => {
    const cases = [
      ['float32', Float32Array],
      ['float64', Float64Array],
      ['int32', Int32Array],
      ['int64', BigInt64Array],
      ['bool', Uint8Array],
      ['uint8', Uint8Array],
      ['int8', Int8Array],
      ['float16', Uint16Array],
    ] as const;
    for (const [dtype, ctor] of cases) {
      const t = hostTensor(dtype, [2, 3]);
      assert.ok(t.data instanceof ctor, dtype);
      assert.equal(t.data.length, 6);
      assert.deepEqual(t.dims, [2, 3]);
    }
  });
  it('keeps the given data without copying', () => {
    const data = new Float32Array([1, 2, 3, 4]);
    const t = hostTensor('float32', [2, 2], data);
    assert.equal(t.data, data);
  });
  it('rejects a length that does not match the dims with a clear message', () => {
    assert.throws(
      () => hostTensor('float32', [2, 3], new Float32Array(5)),
      (e: unknown) =>
        e instanceof CoinError &&
        e.code === 'TENSOR.BAD_DATA' &&
        e.kind === 'INVALID_ARGUMENT' &&
        /dims \[2, 3\] needs 6 elements, got 5/.test(e.message),
    );
  });
  it('rejects the wrong typed array class', () => {
    assert.throws(
      () => hostTensor('float32', [2], new Float64Array(2) as unknown as Float32Array),
      /needs a Float32Array, got Float64Array/,
    );
    assert.throws(() => hostTensor('int64', [1], new Int32Array(1) as unknown as BigInt64Array), /BigInt64Array/);
  });
  it('rejects an unknown dtype', () => {
    assert.throws(
      () => hostTensor('bfloat16' as 'float32', [1]),
      (e: unknown) => e instanceof CoinError && e.code === 'TENSOR.BAD_DTYPE',
    );
  });
});

describe('tensorBytes / tensorsBitEqual', () => {
  it('views the same memory and compares bits, telling NaN payloads and -0 apart', () => {
    const a = hostTensor('float32', [2], new Float32Array([0, Number.NaN]));
    const bytes = tensorBytes(a);
    assert.equal(bytes.byteLength, 8);
    assert.equal(bytes.buffer, a.data.buffer);
    const b = hostTensor('float32', [2], new Float32Array([-0, Number.NaN]));
    assert.equal(tensorsBitEqual(a, b), false);
    const c = hostTensor('float32', [2], new Float32Array(a.data));
    assert.equal(tensorsBitEqual(a, c), true);
    new DataView(c.data.buffer).setUint32(4, 0x7fc00001, true); // a different NaN payload
    assert.ok(Number.isNaN(c.data[1]));
    assert.equal(tensorsBitEqual(a, c), false);
    assert.equal(tensorsBitEqual(a, hostTensor('float32', [1, 2], new Float32Array(a.data))), false);
  });
  it('allocate returns zeros', () => {
    assert.deepEqual([...allocate('int64', 2)], [0n, 0n]);
  });
});
