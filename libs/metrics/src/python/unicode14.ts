/**
 * CPython 3.11 uses Unicode 14.0; Node 20's ICU is newer. These are the code points where the two
 * disagree about case mapping, letters, digits or numerics (measured over all of U+0000..U+10FFFF
 * against CPython 3.11.7): all are characters assigned after Unicode 14 (Python sees them as
 * unassigned), except U+019B, U+0264, U+A7D3 and U+A7D5, lowercase letters that gained an uppercase in
 * Unicode 16 or later. Python treats every one of them as caseless; the new ones are also not `\w`, not
 * numeric, not decimal.
 */
const RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x19b, 0x19b],
  [0x264, 0x264],
  [0x88f, 0x88f],
  [0xc5c, 0xc5c],
  [0xcdc, 0xcdc],
  [0x1c89, 0x1c8a],
  [0xa7cb, 0xa7cf],
  [0xa7d2, 0xa7d5],
  [0xa7da, 0xa7dc],
  [0xa7f1, 0xa7f1],
  [0x105c0, 0x105f3],
  [0x10940, 0x10959],
  [0x10d40, 0x10d65],
  [0x10d6f, 0x10d85],
  [0x10ec2, 0x10ec7],
  [0x1123f, 0x11240],
  [0x11380, 0x11389],
  [0x1138b, 0x1138b],
  [0x1138e, 0x1138e],
  [0x11390, 0x113b5],
  [0x113b7, 0x113b7],
  [0x113d1, 0x113d1],
  [0x113d3, 0x113d3],
  [0x116d0, 0x116e3],
  [0x11bc0, 0x11be0],
  [0x11bf0, 0x11bf9],
  [0x11db0, 0x11ddb],
  [0x11de0, 0x11de9],
  [0x11f02, 0x11f02],
  [0x11f04, 0x11f10],
  [0x11f12, 0x11f33],
  [0x11f50, 0x11f59],
  [0x1342f, 0x1342f],
  [0x13441, 0x13446],
  [0x13460, 0x143fa],
  [0x16100, 0x1611d],
  [0x16130, 0x16139],
  [0x16d40, 0x16d6c],
  [0x16d70, 0x16d79],
  [0x16ea0, 0x16eb8],
  [0x16ebb, 0x16ed3],
  [0x16ff2, 0x16ff6],
  [0x187f8, 0x187ff],
  [0x18cff, 0x18cff],
  [0x18d09, 0x18d1e],
  [0x18d80, 0x18df2],
  [0x1b132, 0x1b132],
  [0x1b155, 0x1b155],
  [0x1ccf0, 0x1ccf9],
  [0x1d2c0, 0x1d2d3],
  [0x1df25, 0x1df2a],
  [0x1e030, 0x1e06d],
  [0x1e4d0, 0x1e4eb],
  [0x1e4f0, 0x1e4f9],
  [0x1e5d0, 0x1e5ed],
  [0x1e5f0, 0x1e5fa],
  [0x1e6c0, 0x1e6de],
  [0x1e6e0, 0x1e6e2],
  [0x1e6e4, 0x1e6e5],
  [0x1e6e7, 0x1e6ed],
  [0x1e6f0, 0x1e6f4],
  [0x1e6fe, 0x1e6ff],
  [0x2b739, 0x2b73f],
  [0x2cea2, 0x2cead],
  [0x2ebf0, 0x2ee5d],
  [0x31350, 0x33479],
];

const OLD_LETTERS = new Set([0x19b, 0x264, 0xa7d3, 0xa7d5]);

function inRanges(cp: number): boolean {
  let lo = 0;
  let hi = RANGES.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = RANGES[mid];
    if (cp < a) hi = mid - 1;
    else if (cp > b) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Assigned in the JavaScript engine's Unicode but not in Unicode 14 (unassigned for CPython 3.11). */
export function isAfterUnicode14(cp: number): boolean {
  return inRanges(cp) && !OLD_LETTERS.has(cp);
}

const CASELESS = new RegExp(
  `[${RANGES.map(([a, b]) => `\\u{${a.toString(16)}}-\\u{${b.toString(16)}}`).join('')}]`,
  'u',
);

function mapCase(s: string, f: (x: string) => string): string {
  if (!CASELESS.test(s)) return f(s);
  let out = '';
  let run = '';
  for (const c of s) {
    if (inRanges(c.codePointAt(0)!)) {
      out += f(run) + c;
      run = '';
    } else {
      run += c;
    }
  }
  return out + f(run);
}

/** Python 3.11's `str.lower()`. */
export function pyLower(s: string): string {
  return mapCase(s, (x) => x.toLowerCase());
}

/** Python 3.11's `str.upper()`. */
export function pyUpper(s: string): string {
  return mapCase(s, (x) => x.toUpperCase());
}
