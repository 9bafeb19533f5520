/**
 * Text normalisation for the rubric judge (docs/protocol.md#rubric-judge): case, punctuation,
 * articles and number words stop mattering, so "The answer is Two." and "2" share the token "2".
 */

const ARTICLES = new Set(['a', 'an', 'the']);

/** Framing words a verbose answer wraps its content in; they carry no content of their own. */
const FILLER = new Set([
  'is',
  'are',
  'was',
  'were',
  'be',
  'it',
  'its',
  'this',
  'that',
  'these',
  'those',
  'there',
  'of',
  'to',
  'i',
  'my',
  'think',
  'answer',
  'final',
  'correct',
  'option',
  'choice',
  'image',
  'picture',
  'photo',
  'shows',
  'shown',
  'appears',
  'seems',
]);

const UNITS: ReadonlyMap<string, number> = new Map(
  [
    'zero',
    'one',
    'two',
    'three',
    'four',
    'five',
    'six',
    'seven',
    'eight',
    'nine',
    'ten',
    'eleven',
    'twelve',
    'thirteen',
    'fourteen',
    'fifteen',
    'sixteen',
    'seventeen',
    'eighteen',
    'nineteen',
  ].map((w, k) => [w, k]),
);
const TENS: ReadonlyMap<string, number> = new Map(
  ['twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'].map((w, k) => [w, 20 + 10 * k]),
);

/** Number words 0-99 ("twenty one" after hyphens became spaces) as digits; other tokens unchanged. */
function numberWordsToDigits(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < tokens.length; k += 1) {
    const t = tokens[k];
    const tens = TENS.get(t);
    const unit = UNITS.get(tokens[k + 1] ?? '');
    if (tens !== undefined && unit !== undefined && unit > 0 && unit < 10) {
      out.push(String(tens + unit));
      k += 1;
    } else out.push(String(tens ?? UNITS.get(t) ?? t));
  }
  return out;
}

/** "2.0" and "02" read as "2"; other tokens unchanged. */
function canonicalNumber(t: string): string {
  return /^\d+(\.\d+)?$/.test(t) ? String(Number(t)) : t;
}

/**
 * Lower-cased (NFKC) word tokens without punctuation or articles, number words as digits.
 * Apostrophes vanish ("can't" → "cant"), thousands separators and decimal points inside numbers stay.
 */
export function rubricTokens(text: string): string[] {
  const cleaned = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/['\u2018\u2019`]/g, '')
    .replace(/(?<=\d),(?=\d{3}(?!\d))/g, '')
    .replace(/(?<!\d)\.|\.(?!\d)/g, ' ')
    .replace(/[^\p{L}\p{N}\p{M}.]+/gu, ' ');
  const words = cleaned.split(/\s+/).filter((w) => w !== '' && !ARTICLES.has(w));
  return numberWordsToDigits(words).map(canonicalNumber);
}

/** Tokens without framing words; all tokens where nothing else is left. */
export function contentTokens(tokens: readonly string[]): readonly string[] {
  const content = tokens.filter((t) => !FILLER.has(t));
  return content.length > 0 ? content : tokens;
}

export function isFiller(token: string): boolean {
  return FILLER.has(token);
}

/** Where `needle` occurs as a contiguous run in `hay`, or -1. */
export function indexOfRun(hay: readonly string[], needle: readonly string[]): number {
  if (needle.length === 0) return -1;
  for (let k = 0; k + needle.length <= hay.length; k += 1) {
    if (needle.every((t, j) => hay[k + j] === t)) return k;
  }
  return -1;
}

/** F1 of the two token multisets (SQuAD-style): 0 where they share nothing. */
export function tokenF1(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const t of a) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of b) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      common += 1;
      counts.set(t, c - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / b.length;
  const recall = common / a.length;
  return (2 * precision * recall) / (precision + recall);
}

export function isNumberToken(t: string): boolean {
  return /^\d+(\.\d+)?$/.test(t);
}

const UNANSWERABLE = [
  'unanswerable',
  'unknown',
  'unsure',
  'not answerable',
  'no answer',
  'cannot answer',
  'can not answer',
  'cant answer',
  'cannot be answered',
  'cannot be determined',
  'cannot determine',
  'cannot tell',
  'can not tell',
  'cant tell',
  'impossible to tell',
  'impossible to determine',
  'not possible to tell',
  'not possible to determine',
  'i dont know',
  'i do not know',
  'not enough information',
  'insufficient information',
];

/** An answer that declines to answer ("Unanswerable", "I can't tell", "unknown"). */
export function isUnanswerable(tokens: readonly string[]): boolean {
  const text = ` ${tokens.join(' ')} `;
  return UNANSWERABLE.some((phrase) => text.includes(` ${phrase} `));
}
