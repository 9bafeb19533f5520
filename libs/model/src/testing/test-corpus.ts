import { Rng } from '@coin/core';

/**
 * Deterministic text for tokenizer tests: CoIN-like prompts and answers plus hostile Unicode
 * (emoji with ZWJ and skin tones, CJK, combining marks, RTL, control characters, odd spaces).
 */

export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '   leading and trailing   ',
  'Hello, world! What is the color of the cube?',
  'emoji 🙂 👩🏽‍💻 🇫🇷 family 👨‍👩‍👧‍👦 ✔︎',
  '中文字符 日本語のテキスト 한국어 텍스트',
  'combining: e\u0301 a\u0308 n\u0303 Z\u0351\u0352\u0357',
  'controls: \u0000\u0001\u0007\u001b[0m\t\r\n\u007f\u0085',
  'odd spaces:\u00a0\u2003\u3000\u200b\ufeff|',
  'RTL: שלום עולם مرحبا',
  "contractions: it's we're they'll I'd you've",
  'numbers 3.14159 -42 1,000,000 ١٢٣ ½',
  '[0.123, 0.456, 0.789, 0.999]',
  'special-looking: <s> </s> <unk> <pad> <image> <imag <s',
  '\n\n\n',
  'A\nB\r\nC\n',
];

const WORDS = [
  'the',
  'cube',
  'red',
  'sphere',
  'What',
  'is',
  'left',
  'of',
  'answer',
  'Answer',
  'with',
  'a',
  'single',
  'word',
  'option',
  'letter',
  'from',
  'given',
  'choices',
  'directly',
  'A.',
  'B.',
  'Yes',
  'No',
  '2',
  '17',
  'photo',
  'Please',
  'provide',
  'bounding',
  'box',
  'coordinate',
  'region',
];

/** `count` CoIN-like sentences, deterministic in `seed`. */
export function englishLikeCorpus(count: number, seed = 1): string[] {
  const rng = new Rng(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = 3 + rng.int(14);
    let s = '';
    for (let j = 0; j < n; j++) {
      if (j > 0) s += rng.chance(0.08) ? '\n' : ' ';
      s += rng.pick(WORDS);
    }
    out.push(s + (rng.chance(0.5) ? '?' : '.'));
  }
  return out;
}

/** Random strings of well-formed Unicode code points from many blocks (no lone surrogates). */
export function randomUnicodeStrings(count: number, seed = 2): string[] {
  const rng = new Rng(seed);
  const ranges: [number, number][] = [
    [0x00, 0x7f],
    [0x80, 0x24f],
    [0x300, 0x36f],
    [0x590, 0x6ff],
    [0x2000, 0x206f],
    [0x3000, 0x30ff],
    [0x4e00, 0x9fff],
    [0xac00, 0xd7a3],
    [0xe000, 0xf8ff],
    [0xfe00, 0xfffd],
    [0x1f300, 0x1faff],
    [0x10000, 0x10ffff],
  ];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = rng.int(40);
    let s = '';
    for (let j = 0; j < n; j++) {
      const [lo, hi] = rng.pick(ranges);
      let cp = lo + rng.int(hi - lo + 1);
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0x20;
      s += rng.chance(0.2) ? ' ' : String.fromCodePoint(cp);
    }
    out.push(s);
  }
  return out;
}
