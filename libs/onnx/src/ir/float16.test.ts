import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { float16ToFloat32 } from '../index.js';

/** The value of a half-precision bit pattern by its definition (IEEE 754 binary16), NaN aside. */
function halfValue(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0x1f) return sign * Infinity;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

test('float16ToFloat32 widens every half bit pattern exactly (zeros, subnormals, infinities)', () => {
  const all = new Uint16Array(65536).map((_, i) => i);
  const wide = float16ToFloat32(all);
  for (let h = 0; h < 65536; h++) {
    if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) continue; // NaN: checked below
    assert.ok(Object.is(wide[h], halfValue(h)), `0x${h.toString(16)} → ${wide[h]}, expected ${halfValue(h)}`);
  }
});

test('float16ToFloat32 keeps NaN sign and payload, quiet or signalling', () => {
  const words = new Uint32Array(float16ToFloat32(Uint16Array.of(0x7e00, 0x7c01, 0xfd55)).buffer);
  assert.deepEqual(
    [...words].map((w) => w.toString(16)),
    ['7fc00000', '7f802000', 'ffaaa000'],
  );
});
