import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { HostTensor } from '@coin/runtime';
import { transpose2d } from './layout.js';

const wordsOf = (t: HostTensor) =>
  [...new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length)].map((w) => w.toString(16));

test('transpose2d keeps every bit: signalling NaNs, NaN payloads and -0 survive', () => {
  const words = Uint32Array.of(0x7f80_0001, 0xffa0_0000, 0x7fc0_1234, 0x8000_0000, 0x3f80_0000, 0xff80_0001); // [2, 3]
  const t = transpose2d({ dtype: 'float32', dims: [2, 3], data: new Float32Array(words.buffer) }, 'x');
  assert.deepEqual([...t.dims], [3, 2]);
  assert.equal(t.dtype, 'float32');
  assert.deepEqual(wordsOf(t), ['7f800001', '80000000', 'ffa00000', '3f800000', '7fc01234', 'ff800001']);
});

test('transpose2d copies float16 bits and other dtypes unchanged', () => {
  const half = transpose2d({ dtype: 'float16', dims: [1, 3], data: Uint16Array.of(0x7c01, 0xfe55, 0x8000) }, 'h'); // a signalling half NaN first
  assert.deepEqual([...(half.data as Uint16Array)], [0x7c01, 0xfe55, 0x8000]);
  assert.deepEqual([...half.dims], [3, 1]);
  const big = transpose2d({ dtype: 'int64', dims: [2, 2], data: BigInt64Array.of(1n, -2n, 3n, 2n ** 62n) }, 'i');
  assert.deepEqual([...(big.data as BigInt64Array)], [1n, 3n, -2n, 2n ** 62n]);
  const wide = new Float64Array(4);
  new BigUint64Array(wide.buffer).set([0x7ff0_0000_0000_0001n, 0n, 0n, 0xfff8_0000_0000_00abn]);
  const w = transpose2d({ dtype: 'float64', dims: [2, 2], data: wide }, 'd');
  assert.deepEqual(
    [...new BigUint64Array((w.data as Float64Array).buffer)].map((x) => x.toString(16)),
    ['7ff0000000000001', '0', '0', 'fff80000000000ab'],
  );
});
