/**
 * Python's whitespace, exactly: CoIN's Python code strips with `str.strip()`, which (unlike
 * JavaScript's `trim`) strips U+001C..U+001F and U+0085 and keeps U+FEFF.
 */

/** `str.isspace()`: the exact set from CPython's `_PyUnicode_IsWhitespace` (Unicode 14). */
const PY_SPACE = new Set<number>([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
  0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

export function isPySpace(cp: number): boolean {
  return PY_SPACE.has(cp);
}

/** `s.strip()` with no argument (Python whitespace, not JavaScript's; all of it is in the BMP). */
export function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isPySpace(s.charCodeAt(a))) a += 1;
  while (b > a && isPySpace(s.charCodeAt(b - 1))) b -= 1;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}
