import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoinError } from '@coin/core';
import { loadPickle, type PickleValue } from './pickle.js';
import { CONTAINERS_PICKLES, REFS_PICKLES, SCALARS_PICKLES, SHARED_PICKLES, UNSAFE_PICKLES } from './pickle-vectors.js';

/*
 * pickle-vectors.ts was generated with:
 *   python3 -c "import pickle; ...; print(pickle.dumps(value, protocol=p).hex())" for p in 0..5
 * with the values written out below as `expected`; UNSAFE_PICKLES are collections.OrderedDict(a=1)
 * at protocols 2 and 4 and ValueError('x') at protocol 0.
 */
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

const REFS_EXPECTED = [
  {
    ref_id: 0,
    ann_id: 1709,
    image_id: 581857,
    split: 'train',
    sentences: [{ sent: 'man in red', raw: 'Man in red!', tokens: ['man', 'in', 'red'], sent_id: 0 }],
    category_id: 1,
    box: [1.5, -2.25e-3],
  },
];
const SCALARS_EXPECTED: PickleValue[] = [
  null,
  true,
  false,
  0,
  1,
  255,
  256,
  65535,
  65536,
  -1,
  -(2 ** 31),
  2 ** 31,
  2n ** 63n,
  -(2n ** 70n),
  3.5,
  -0,
  1e300,
  '',
  'é中😀',
  Uint8Array.from([0, 255, 97, 98]),
  Uint8Array.from([120, 121]),
];
const CONTAINERS_EXPECTED = {
  t1: [1],
  t2: [1, 2],
  t3: [1, 2, 3],
  t4: [1, 2, 3, 4],
  empty: [],
  set: new Set([1]),
  fs: new Set(),
  1: 'int key',
  nested: [[[]], { a: {} }],
};

const CASES: ReadonlyArray<[string, Readonly<Record<number, string>>, unknown]> = [
  ['list of refs dicts', REFS_PICKLES, REFS_EXPECTED],
  ['scalars (ints of every width, floats, str, bytes, bytearray)', SCALARS_PICKLES, SCALARS_EXPECTED],
  ['tuples, sets, int keys, nesting', CONTAINERS_PICKLES, CONTAINERS_EXPECTED],
];

for (const [name, pickles, expected] of CASES) {
  for (const [protocol, data] of Object.entries(pickles)) {
    test(`loads ${name} at protocol ${protocol}`, () => {
      assert.deepEqual(loadPickle(hex(data)), expected);
    });
  }
}

for (const [protocol, data] of Object.entries(SHARED_PICKLES)) {
  test(`memoised objects stay shared at protocol ${protocol}`, () => {
    const value = loadPickle(hex(data)) as [number[], number[], { x: number[] }];
    assert.deepEqual(value[0], [1, 2]);
    assert.equal(value[0], value[1]);
    assert.equal(value[0], value[2].x);
  });
}

for (const [i, data] of UNSAFE_PICKLES.entries()) {
  test(`refuses a pickle that constructs a class (${i})`, () => {
    assert.throws(
      () => loadPickle(hex(data), 'evil.p'),
      (e: unknown) =>
        e instanceof CoinError &&
        e.code === 'PICKLE.UNSAFE' &&
        e.kind === 'INVALID_ARGUMENT' &&
        /evil\.p: byte \d+: refusing/.test(e.message),
    );
  });
}

test('a truncated pickle is DATA_LOSS with the byte offset', () => {
  const data = hex(REFS_PICKLES[2]);
  for (const cut of [1, 10, data.length - 1]) {
    assert.throws(
      () => loadPickle(data.subarray(0, cut), 'refs(unc).p'),
      (e: unknown) =>
        e instanceof CoinError &&
        e.code === 'PICKLE.MALFORMED' &&
        e.kind === 'DATA_LOSS' &&
        /refs\(unc\)\.p: byte \d+/.test(e.message),
    );
  }
});

test('garbage is rejected', () => {
  assert.throws(() => loadPickle(Uint8Array.from([0x80, 0x02, 0xff]), 'x.p'), /unknown opcode 0xff/);
  assert.throws(() => loadPickle(Uint8Array.from([0x80, 0x09]), 'x.p'), /protocol above 5/);
  assert.throws(() => loadPickle(Uint8Array.from([0x68, 0x05, 0x2e]), 'x.p'), /memo key 5/);
});

test('a str cut short reports the truncation, a str of bad UTF-8 says so', () => {
  // SHORT_BINUNICODE of length 5 with only 2 bytes left; then 2 bytes that are not UTF-8.
  assert.throws(
    () => loadPickle(Uint8Array.from([0x80, 0x04, 0x8c, 0x05, 0x61, 0x62]), 'x.p'),
    /x\.p: byte 2: unexpected end of data \(needed 5 more byte\(s\)\)/,
  );
  assert.throws(
    () => loadPickle(Uint8Array.from([0x80, 0x04, 0x8c, 0x02, 0xc3, 0x28, 0x2e]), 'x.p'),
    /x\.p: byte 2: invalid UTF-8 in a str/,
  );
  assert.equal(loadPickle(Uint8Array.from([0x80, 0x04, 0x8c, 0x02, 0xc3, 0xa9, 0x2e])), 'é');
});
