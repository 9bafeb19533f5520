import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoinError } from '@coin/core';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import { hostTensor, tensorsBitEqual, type HostTensor } from './tensor.js';

/** [u64 LE header length][header][data], built by hand from the format description. */
function fileBytes(header: string, data: number[] = []): Uint8Array {
  const h = Buffer.from(header, 'utf8');
  const out = Buffer.alloc(8 + h.length + data.length);
  out.writeBigUInt64LE(BigInt(h.length), 0);
  h.copy(out, 8);
  out.set(data, 8 + h.length);
  return new Uint8Array(out);
}

function corruptWith(re: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof CoinError, String(e));
    assert.equal(e.code, 'SAFETENSORS.CORRUPT');
    assert.equal(e.kind, 'DATA_LOSS');
    assert.match(e.message, re);
    return true;
  };
}

const F32_0_TO_5 = [0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64]; // 0,1,2,3,4,5 as f32 LE

describe('writeSafetensors: the exact bytes of the reference writer', () => {
  it('one F32 tensor whose header is already a multiple of 8 (no padding)', () => {
    const out = writeSafetensors({ 'attn.0': hostTensor('float32', [1, 2, 3], new Float32Array([0, 1, 2, 3, 4, 5])) });
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    assert.equal(header.length, 64);
    assert.deepEqual(out, fileBytes(header, F32_0_TO_5));
  });
  it('pads the header with spaces to 8-byte alignment', () => {
    const out = writeSafetensors({ attn0: hostTensor('float32', [1, 1, 2, 3], new Float32Array([0, 1, 2, 3, 4, 5])) });
    const header = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}' + ' '.repeat(7);
    assert.equal(header.length, 72);
    assert.deepEqual(out, fileBytes(header, F32_0_TO_5));
  });
  it('an empty file, and one with only metadata', () => {
    assert.deepEqual(writeSafetensors({}), new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]));
    assert.deepEqual(writeSafetensors({}, { framework: 'pt' }), fileBytes('{"__metadata__":{"framework":"pt"}}     '));
  });
  it('orders by descending dtype then name bytes, metadata first with sorted keys', () => {
    const t = (dtype: HostTensor['dtype'], n: number): HostTensor => hostTensor(dtype, [n]);
    const out = writeSafetensors(
      {
        flag: t('bool', 1),
        '9': t('float32', 1),
        '10': t('float32', 1),
        ids: t('int64', 1),
        h: t('float16', 1),
        b: t('uint8', 1),
        c: t('int8', 1),
        d: t('float64', 1),
        e: t('int32', 1),
      },
      { z: '1', a: 'x"y' },
    );
    const headerLength = Number(new DataView(out.buffer).getBigUint64(0, true));
    assert.equal(headerLength % 8, 0);
    const header = Buffer.from(out.subarray(8, 8 + headerLength))
      .toString('utf8')
      .trimEnd();
    assert.equal(
      header,
      '{"__metadata__":{"a":"x\\"y","z":"1"},' +
        '"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},' +
        '"d":{"dtype":"F64","shape":[1],"data_offsets":[8,16]},' +
        '"10":{"dtype":"F32","shape":[1],"data_offsets":[16,20]},' +
        '"9":{"dtype":"F32","shape":[1],"data_offsets":[20,24]},' +
        '"e":{"dtype":"I32","shape":[1],"data_offsets":[24,28]},' +
        '"h":{"dtype":"F16","shape":[1],"data_offsets":[28,30]},' +
        '"c":{"dtype":"I8","shape":[1],"data_offsets":[30,31]},' +
        '"b":{"dtype":"U8","shape":[1],"data_offsets":[31,32]},' +
        '"flag":{"dtype":"BOOL","shape":[1],"data_offsets":[32,33]}}',
    );
    assert.equal(out.length, 8 + headerLength + 33);
  });
  it('refuses a tensor named __metadata__ and data of the wrong length', () => {
    assert.throws(() => writeSafetensors({ __metadata__: hostTensor('uint8', [1]) }), /reserved/);
    assert.throws(
      () => writeSafetensors({ x: { dtype: 'float32', dims: [3], data: new Float32Array(2) } }),
      /needs 3 elements/,
    );
  });
});

describe('readSafetensors', () => {
  it('round-trips every dtype bit-exactly, NaN payloads and -0 included', () => {
    const f32 = new Float32Array([-0, 0, Number.NaN, Infinity, -Infinity, 1e-45, 3.4028234663852886e38]);
    new DataView(f32.buffer).setUint32(8, 0xffc12345, true); // a negative NaN with a payload
    const f64 = new Float64Array([-0, Number.NaN, Math.PI]);
    new DataView(f64.buffer).setBigUint64(8, 0x7ff8dead_beef0001n, true);
    const tensors: Record<string, HostTensor> = {
      f32: hostTensor('float32', [7], f32),
      f64: hostTensor('float64', [3, 1], f64),
      i64: hostTensor('int64', [2], new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n])),
      i32: hostTensor('int32', [2], new Int32Array([-(2 ** 31), 2 ** 31 - 1])),
      f16: hostTensor('float16', [3], new Uint16Array([0x8000, 0x7e01, 0x3c00])), // -0, NaN payload, 1
      i8: hostTensor('int8', [2], new Int8Array([-128, 127])),
      u8: hostTensor('uint8', [2], new Uint8Array([0, 255])),
      mask: hostTensor('bool', [2, 2], new Uint8Array([1, 0, 0, 1])),
      scalar: hostTensor('float32', [], new Float32Array([2.5])),
      empty: hostTensor('float32', [0, 4]),
    };
    const bytes = writeSafetensors(tensors, { step: '12' });
    const back = readSafetensors(bytes);
    assert.deepEqual(back.metadata, { step: '12' });
    assert.deepEqual(Object.keys(back.tensors).sort(), Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) assert.ok(tensorsBitEqual(back.tensors[name], t), name);
    assert.ok(Object.is((back.tensors.f32.data as Float32Array)[0], -0));
    assert.deepEqual(writeSafetensors(back.tensors, back.metadata), bytes);
  });
  it('reads from a Buffer view at an odd offset inside a bigger allocation', () => {
    const bytes = writeSafetensors({ w: hostTensor('float64', [2], new Float64Array([1.5, -2])) });
    const big = Buffer.alloc(bytes.length + 3);
    big.set(bytes, 3);
    const back = readSafetensors(big.subarray(3));
    assert.deepEqual([...(back.tensors.w.data as Float64Array)], [1.5, -2]);
  });
  it('accepts any header order and a header that is not 8-aligned (older writers)', () => {
    const header =
      '{"b":{"dtype":"U8","shape":[1],"data_offsets":[4,5]},"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}';
    const back = readSafetensors(fileBytes(header, [0, 0, 128, 63, 9]));
    assert.deepEqual([...(back.tensors.a.data as Float32Array)], [1]);
    assert.deepEqual(back.tensors.a.dims, []);
    assert.deepEqual([...(back.tensors.b.data as Uint8Array)], [9]);
    assert.deepEqual(back.metadata, {});
  });
  it('widens BF16 to float32 exactly', () => {
    // bf16 0x3fc0 = 1.5, 0xc000 = -2, 0x8000 = -0
    const back = readSafetensors(
      fileBytes('{"x":{"dtype":"BF16","shape":[3],"data_offsets":[0,6]}}', [0xc0, 0x3f, 0x00, 0xc0, 0x00, 0x80]),
    );
    assert.equal(back.tensors.x.dtype, 'float32');
    const v = back.tensors.x.data as Float32Array;
    assert.deepEqual([v[0], v[1]], [1.5, -2]);
    assert.ok(Object.is(v[2], -0));
  });
  it('refuses a dtype it cannot hold with UNSUPPORTED_DTYPE', () => {
    assert.throws(
      () => readSafetensors(fileBytes('{"x":{"dtype":"U16","shape":[1],"data_offsets":[0,2]}}', [1, 0])),
      (e: unknown) => e instanceof CoinError && e.code === 'SAFETENSORS.UNSUPPORTED_DTYPE' && /U16/.test(e.message),
    );
  });
});

describe('readSafetensors refuses corrupt input, saying what is wrong', () => {
  const good = writeSafetensors({ a: hostTensor('float32', [2]), b: hostTensor('int64', [1]) });
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['shorter than 8 bytes', new Uint8Array([1, 0, 0]), /3 bytes, shorter than the 8-byte header length/],
    [
      'header length beyond the file',
      good.subarray(0, 20),
      /header length \d+ runs beyond the end of the file \(20 bytes\)/,
    ],
    ['huge header length', new Uint8Array([0, 0, 0, 0, 0, 0, 0, 1, 32]), /exceeds the 100000000-byte limit/],
    ['bad JSON', fileBytes('{"a":'), /not valid JSON/],
    ['not an object', fileBytes('[1,2]   '), /not a JSON object/],
    ['bad UTF-8', fileBytes('{"\xff":1}').map((b) => (b === 0xc3 ? 0xff : b)), /not valid UTF-8/],
    [
      'unknown dtype',
      fileBytes('{"a":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}'),
      /tensor "a" has unknown dtype "F128"/,
    ],
    [
      'bad shape',
      fileBytes('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}'),
      /tensor "a" has an invalid shape \[-1\]/,
    ],
    [
      'bad offsets',
      fileBytes('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}'),
      /tensor "a" has invalid data_offsets \[0\]/,
    ],
    [
      'end before begin',
      fileBytes(
        '{"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"b":{"dtype":"U8","shape":[1],"data_offsets":[2,1]}}',
        [0, 0],
      ),
      /tensor "b" has data_offsets \[2, 1\] with end before begin/,
    ],
    [
      'overlapping tensors',
      fileBytes(
        '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}',
        new Array(8).fill(0),
      ),
      /tensor "b" data_offsets \[4, 8\] overlap tensor "a" ending at 8/,
    ],
    [
      'gap between tensors',
      fileBytes('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', new Array(8).fill(0)),
      /bytes \[0, 4\) of the data are not covered by any tensor/,
    ],
    [
      'dtype/shape mismatch',
      fileBytes('{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}', new Array(8).fill(0)),
      /F64 of shape \[2\] = 16 bytes, but its data_offsets span 8 bytes/,
    ],
    ['truncated data', good.subarray(0, good.length - 1), /run beyond the data section .*truncated/],
    ['trailing bytes', new Uint8Array([...good, 0]), /cover 16 bytes of data but the data section has 17 bytes/],
    ['metadata not a string', fileBytes('{"__metadata__":{"k":1}}'), /"__metadata__" value "k" is not a string/],
  ];
  for (const [what, bytes, re] of cases) {
    it(what, () => assert.throws(() => readSafetensors(bytes), corruptWith(re)));
  }
  it('names the source in the message', () => {
    assert.throws(
      () => readSafetensors(new Uint8Array(2), { source: '/x/model.safetensors' }),
      corruptWith(/^\/x\/model\.safetensors: /),
    );
  });
});
