import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CoinError } from '@coin/core';
import { type MatStruct, readMat5 } from './mat5.js';
import { FIXTURES } from './testing.js';

/*
 * UNCOMPRESSED was written by scipy 1.17 (`scipy.io.savemat(f, {...}, do_compression=False)`) with
 *   x = [[1.5, -2.0], [3.0, 4.0]] (double), s = 'héllo', c = {'ab', uint8(7)} (1×2 cell),
 *   e = zeros(0, 0), i = int16(300).
 * fixtures/imagenet-devkit/ILSVRC2012_devkit_t12/data/meta.mat was written the same way with
 * do_compression=True: a 4×1 `synsets` struct array with the devkit's fields.
 */
const UNCOMPRESSED =
  '4d41544c414220352e30204d41542d66696c6520506c6174666f726d3a20706f7369782c2043726561746564206f6e3a20546875204e6f762032362031333a35383a323420323032360000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001494d0e00000050000000060000000800000006000000000000000500000008000000020000000200000001000100780000000900000020000000000000000000f83f000000000000084000000000000000c000000000000010400e0000003800000006000000080000000400000000000000050000000800000001000000050000000100010073000000100000000600000068c3a96c6c6f00000e00000098000000060000000800000001000000000000000500000008000000010000000200000001000100630000000e000000300000000600000008000000040000000000000005000000080000000100000002000000010000000000000010000200616200000e000000300000000600000008000000090000000000000005000000080000000100000001000000010000000000000002000100070000000e000000300000000600000008000000060000000000000005000000080000000000000000000000010001006500000009000000000000000e0000003000000006000000080000000a00000000000000050000000800000001000000010000000100010069000000030002002c010000';

test('reads numeric (column-major), char, cell, empty and small-element arrays', () => {
  const vars = readMat5(Uint8Array.from(Buffer.from(UNCOMPRESSED, 'hex')), 'u.mat');
  assert.deepEqual(vars.get('x'), { name: 'x', className: 'double', dims: [2, 2], value: [1.5, 3, -2, 4] });
  assert.equal(vars.get('s')?.value, 'héllo');
  assert.deepEqual(vars.get('c')?.value, ['ab', [7]]);
  assert.deepEqual(vars.get('e')?.value, []);
  assert.deepEqual(vars.get('i')?.value, [300]);
});

test("reads the compressed devkit meta.mat's synsets struct array", async () => {
  const vars = readMat5(await readFile(join(FIXTURES, 'imagenet-devkit/ILSVRC2012_devkit_t12/data/meta.mat')));
  const synsets = vars.get('synsets');
  assert.equal(synsets?.className, 'struct');
  assert.deepEqual(synsets?.dims, [4, 1]);
  const rows = synsets?.value as MatStruct[];
  assert.deepEqual(rows[0].ILSVRC2012_ID, [1]);
  assert.equal(rows[0].WNID, 'n02105505');
  assert.equal(rows[0].words, 'Dandie Dinmont, Dandie Dinmont terrier');
  assert.deepEqual(rows[3].children, [1, 2]);
  assert.deepEqual(rows[0].children, []);
});

test('malformed MAT-files are DATA_LOSS', () => {
  const good = Buffer.from(UNCOMPRESSED, 'hex');
  for (const bad of [
    good.subarray(0, 100),
    good.subarray(0, 200),
    Buffer.concat([Buffer.from('HDF5'), good.subarray(4)]),
  ]) {
    assert.throws(
      () => readMat5(bad, 'bad.mat'),
      (e: unknown) => e instanceof CoinError && e.code === 'MAT.MALFORMED' && /^bad\.mat: /.test(e.message),
    );
  }
});
