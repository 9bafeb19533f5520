/**
 * Python's number formatting, exactly. `'{:.2f}'.format(x)` rounds the exact binary value of x
 * half-to-even (65.625 is exactly representable, so it is a true tie and prints 65.62), while
 * JavaScript's toFixed rounds ties away from zero (65.63). We expand the double into an exact
 * fraction with BigInt and round that.
 */

/** x = sign · mantissa · 2^exponent exactly, for a finite x. */
function decompose(x: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const fraction = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return { mantissa: fraction, exponent: -1074 }; // subnormal or zero
  return { mantissa: fraction | (1n << 52n), exponent: biased - 1075 };
}

/** |x| · 10^digits rounded half-to-even on the exact value, as a non-negative integer. */
function scaledHalfEven(x: number, digits: number): bigint {
  const { mantissa, exponent } = decompose(x);
  const scale = 10n ** BigInt(digits);
  if (exponent >= 0) return (mantissa << BigInt(exponent)) * scale;
  const numerator = mantissa * scale;
  const denominator = 1n << BigInt(-exponent);
  let q = numerator / denominator;
  const twiceRemainder = 2n * (numerator % denominator);
  if (twiceRemainder > denominator || (twiceRemainder === denominator && q % 2n === 1n)) q += 1n;
  return q;
}

/** Python's `format(x, f'.{digits}f')`, e.g. formatPythonFixed(65.625, 2) === '65.62'. */
export function formatPythonFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  const negative = x < 0 || Object.is(x, -0); // Python keeps the sign of -0.0 and of tiny negatives
  const q = scaledHalfEven(x, digits)
    .toString()
    .padStart(digits + 1, '0');
  const body = digits === 0 ? q : `${q.slice(0, q.length - digits)}.${q.slice(q.length - digits)}`;
  return negative ? `-${body}` : body;
}

/** Python's `'{:.2f}'.format(x)`. */
export function formatPython2f(x: number): string {
  return formatPythonFixed(x, 2);
}

/**
 * Python's one-argument `round(x)` on a float: half-to-even on the exact binary value, an int
 * (no negative zero). Python raises on NaN (ValueError) and infinities (OverflowError).
 */
export function pythonRound(x: number): number {
  if (!Number.isFinite(x)) {
    throw new RangeError(
      Number.isNaN(x)
        ? 'ValueError: cannot convert float NaN to integer'
        : 'OverflowError: cannot convert float infinity to integer',
    );
  }
  const q = Number(scaledHalfEven(x, 0));
  return x < 0 && q !== 0 ? -q : q;
}

/**
 * Python's `repr(float)` / `str(float)`: the shortest digits that round-trip (the same digits
 * JavaScript picks), laid out Python's way: `1.0`, `1e-05`, `1e+16`, `0.0001`, `inf`, `nan`.
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mant, expText] = Math.abs(x).toExponential().split('e');
  const digits = mant.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const m = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intLen = exp + 1;
  if (digits.length <= intLen) return `${sign}${digits.padEnd(intLen, '0')}.0`;
  return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}
