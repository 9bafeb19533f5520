/**
 * Python 3 `str` semantics that the CoIN scorers rely on implicitly. JavaScript's own versions
 * differ at the edges (`trim` strips U+FEFF but not U+001C..U+001F or U+0085; `\w` is ASCII only;
 * `length` counts UTF-16 units), so every scorer uses these instead.
 *
 * Unicode tables: CPython 3.11 ships Unicode 14.0, Node 20's ICU a later version; the code points
 * where they disagree are listed in unicode14.ts and classified the way Python does.
 */
import { isPySpace, pyStrip } from '@coin/core';
import { isAfterUnicode14 } from './unicode14.js';

/** CJK ideographs (category Lo) that Python's `isnumeric()` accepts (Unihan numeric values). */
const EXTRA_NUMERIC = new Set<number>([
  0x3405, 0x3483, 0x382a, 0x3b4d, 0x4e00, 0x4e03, 0x4e07, 0x4e09, 0x4e5d, 0x4e8c, 0x4e94, 0x4e96, 0x4ebf, 0x4ec0,
  0x4edf, 0x4ee8, 0x4f0d, 0x4f70, 0x5104, 0x5146, 0x5169, 0x516b, 0x516d, 0x5341, 0x5343, 0x5344, 0x5345, 0x534c,
  0x53c1, 0x53c2, 0x53c3, 0x53c4, 0x56db, 0x58f1, 0x58f9, 0x5e7a, 0x5efe, 0x5eff, 0x5f0c, 0x5f0d, 0x5f0e, 0x5f10,
  0x62fe, 0x634c, 0x67d2, 0x6f06, 0x7396, 0x767e, 0x8086, 0x842c, 0x8cae, 0x8cb3, 0x8d30, 0x9621, 0x9646, 0x964c,
  0x9678, 0x96f6, 0xf96b, 0xf973, 0xf978, 0xf9b2, 0xf9d1, 0xf9d3, 0xf9fd, 0x20001, 0x20064, 0x200e2, 0x20121, 0x2092a,
  0x20983, 0x2098c, 0x2099c, 0x20aea, 0x20afd, 0x20b19, 0x22390, 0x22998, 0x23b1b, 0x2626d, 0x2f890,
]);

const NUMBER_CHAR = /^\p{N}$/u;
const DECIMAL_CHAR = /^\p{Nd}$/u;
const LETTER_CHAR = /^\p{L}$/u;

/** One code point as a string. */
function ch(cp: number): string {
  return String.fromCodePoint(cp);
}

/** A code point with Numeric_Type Decimal, Digit or Numeric (what `isnumeric()` tests per char). */
function isPyNumericChar(cp: number): boolean {
  if (cp >= 0x80 && isAfterUnicode14(cp)) return false;
  return NUMBER_CHAR.test(ch(cp)) || EXTRA_NUMERIC.has(cp);
}

/** `str.isnumeric()`: non-empty and every code point numeric (digits, superscripts, fractions, CJK numerals). */
export function pyIsNumeric(s: string): boolean {
  if (s.length === 0) return false;
  for (const c of s) if (!isPyNumericChar(c.codePointAt(0)!)) return false;
  return true;
}

/** A code point Python's `re` matches with `\w` in a str pattern: `isalnum()` or `_`. */
export function isPyWordChar(cp: number): boolean {
  if (cp === 0x5f) return true;
  if (cp < 0x80) return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  if (isAfterUnicode14(cp)) return false;
  return LETTER_CHAR.test(ch(cp)) || isPyNumericChar(cp);
}

/**
 * The decimal value (0-9) of a Unicode decimal digit (category Nd), or -1. Unicode guarantees that
 * Nd characters come in contiguous runs of ten, 0 to 9, so the value is the position in the run.
 */
export function pyDecimalValue(cp: number): number {
  if (cp >= 0x30 && cp <= 0x39) return cp - 0x30;
  if (cp < 0x80 || !DECIMAL_CHAR.test(ch(cp)) || isAfterUnicode14(cp)) return -1;
  let start = cp;
  while (start > 0 && DECIMAL_CHAR.test(ch(start - 1))) start -= 1;
  return (cp - start) % 10;
}

/** `s.rstrip(chars)` for a set of single BMP characters. */
export function pyRstripChars(s: string, chars: string): string {
  let end = s.length;
  while (end > 0 && chars.includes(s[end - 1])) end -= 1;
  return s.slice(0, end);
}

/** `s.split()` with no argument: runs of Python whitespace separate, no empty fields. */
export function pySplitWhitespace(s: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let k = 0; k < s.length; k += 1) {
    if (isPySpace(s.charCodeAt(k))) {
      if (start >= 0) out.push(s.slice(start, k));
      start = -1;
    } else if (start < 0) {
      start = k;
    }
  }
  if (start >= 0) out.push(s.slice(start));
  return out;
}

/** Python `len(s)`: code points, not UTF-16 units (a lone surrogate counts as one). */
export function pyLen(s: string): number {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
}

/** Python `s[start:end]` on code points, for non-negative or negative indices. */
export function pySlice(s: string, start: number, end?: number): string {
  const cps = Array.from(s);
  return cps.slice(start, end).join('');
}

/**
 * Python's `float(s)` for a str: surrounding whitespace allowed (non-ASCII Unicode spaces and ASCII
 * \t\n\v\f\r and space, but not U+001C..U+001F), any Unicode
 * decimal digit accepted as a digit, `_` only between two digits, `inf`/`infinity`/`nan` in any
 * case with an optional sign, `1e5`, `+.5`, `5.`. Returns undefined where Python raises ValueError.
 */
export function pyFloat(s: string): number | undefined {
  // CPython first maps non-ASCII whitespace to ' ' and non-ASCII decimal digits to ASCII (ASCII
  // characters stay as they are), then strips C-locale whitespace: so U+2003 and U+0085 are
  // stripped but U+001C..U+001F (Python whitespace too) are not.
  let ascii = '';
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    if (cp < 0x80) ascii += c;
    else if (isPySpace(cp)) ascii += ' ';
    else {
      const d = pyDecimalValue(cp);
      if (d < 0) return undefined;
      ascii += String(d);
    }
  }
  ascii = ascii.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');
  if (ascii.includes('_')) {
    let prev = '';
    let kept = '';
    for (const c of ascii) {
      const isDigit = c >= '0' && c <= '9';
      if (c === '_') {
        if (!(prev >= '0' && prev <= '9' && prev !== '')) return undefined;
      } else {
        if (prev === '_' && !isDigit) return undefined;
        kept += c;
      }
      prev = c;
    }
    if (prev === '_') return undefined;
    ascii = kept;
  }
  const m = /^([+-]?)(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|(inf|infinity)|(nan))$/i.exec(ascii);
  if (!m) return undefined;
  const negative = m[1] === '-';
  if (m[3] !== undefined) return negative ? -Infinity : Infinity;
  if (m[4] !== undefined) return NaN;
  return Number(ascii);
}

/** Sort key comparison on code points (Python compares str by code point, JS by UTF-16 unit). */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const dx = x.value.codePointAt(0)!;
    const dy = y.value.codePointAt(0)!;
    if (dx !== dy) return dx < dy ? -1 : 1;
  }
}

/** `s.strip().rstrip('.').strip()`: the strict scorers' answer cleanup before comparing case-folded. */
export function stripAnswer(s: string): string {
  return pyStrip(pyRstripChars(pyStrip(s), '.'));
}
