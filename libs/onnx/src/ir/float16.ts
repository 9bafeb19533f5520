/**
 * IEEE 754 half precision (binary16) → single precision, bit by bit. Every half value is exactly
 * representable as a float32, so this is exact: signed zeros, subnormals (normalised on the way),
 * infinities, and NaN sign and payload (a signalling NaN stays signalling).
 */
export function float16ToFloat32(halves: Uint16Array): Float32Array {
  const words = new Uint32Array(halves.length);
  for (let i = 0; i < halves.length; i++) words[i] = float16BitsToFloat32Bits(halves[i]);
  return new Float32Array(words.buffer);
}

const EXPONENT_SHIFT = 127 - 15; // float32 bias minus float16 bias

function float16BitsToFloat32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exponent = (h >> 10) & 0x1f;
  let mantissa = h & 0x3ff;
  if (exponent === 0x1f) return (sign | 0x7f80_0000 | (mantissa << 13)) >>> 0; // infinity or NaN
  if (exponent === 0) {
    if (mantissa === 0) return sign >>> 0; // ±0
    // Subnormal m·2⁻²⁴: shift the leading 1 up to the implicit bit, lowering the exponent to match.
    let e = EXPONENT_SHIFT + 1;
    while ((mantissa & 0x400) === 0) {
      mantissa <<= 1;
      e--;
    }
    return (sign | (e << 23) | ((mantissa & 0x3ff) << 13)) >>> 0;
  }
  return (sign | ((exponent + EXPONENT_SHIFT) << 23) | (mantissa << 13)) >>> 0;
}
