/**
 * Multiple-choice questions for the rubric judge (docs/protocol.md#rubric-judge): the options a
 * question lists ("A. cat" per line, "A. cat  B. dog" inline, or "(A) cat (B) dog") and the option
 * an answer picks, whether it gives the letter ("B", "(B)", "The answer is B.") or the text ("dog").
 */
import { indexOfRun, rubricTokens } from './rubric-text.js';

/** Option letter → option text, in letter order. */
export type Options = ReadonlyMap<string, string>;

/** "A." / "A)" / "(A)" followed by a space; the letter stands alone (not the end of "Vitamin A."). */
const MARKER = /(?<![\p{L}\p{N}])(?:\(([A-J])\)|([A-J])[.)])(?=[ \t])/gu;

interface Marker {
  readonly letter: string;
  readonly start: number;
  readonly end: number;
}

/**
 * The longest run of markers lettered A, B, C, … in order (at least two), each option's text running
 * to the next marker or the end of its line. Empty where the question lists no options.
 */
export function parseOptions(question: string): Options {
  const markers: Marker[] = [...question.matchAll(MARKER)].map((m) => ({
    letter: m[1] ?? m[2],
    start: m.index,
    end: m.index + m[0].length,
  }));
  let best: Marker[] = [];
  let chain: Marker[] = [];
  for (const m of markers) {
    const expected = String.fromCharCode('A'.charCodeAt(0) + chain.length);
    if (m.letter === expected) chain.push(m);
    else if (m.letter === 'A') chain = [m];
    if (chain.length > best.length) best = chain;
  }
  if (best.length < 2) return new Map();
  return new Map(
    best.map((m, k) => {
      const stop = k + 1 < best.length ? best[k + 1].start : question.length;
      const text = question.slice(m.end, stop).split('\n')[0].trim().replace(/[,;]$/, '').trim();
      return [m.letter, text];
    }),
  );
}

/** The letter an answer names explicitly: "B", "(b)", "B. dog", "B) dog", "The answer is (B).", "Option B". */
export function namedLetter(answer: string, options: Options): string | undefined {
  const t = answer.trim();
  const candidates = [
    /^\(?([A-Ja-j])\)?[.):]?$/u.exec(t)?.[1]?.toUpperCase(),
    /^\(?([A-J])[.):](?:\s|$)/u.exec(t)?.[1],
    /^\(([A-J])\)/u.exec(t)?.[1],
    /(?:[Aa]nswer|[Oo]ption|[Cc]hoice)(?:\s+(?:is|would be))?\s*[:-]?\s*\(?([A-J])\)?(?![\p{L}\p{N}])/u.exec(t)?.[1],
  ];
  return candidates.find((c) => c !== undefined && options.has(c));
}

/**
 * The option an answer picks: the letter it names; else the one option whose text it equals or
 * alone contains (an option contained in another matched option, "red" in "dark red", yields);
 * 'several' where it names more than one (a hedge), undefined where it names none.
 */
export function chosenOption(answer: string, options: Options): string | 'several' | undefined {
  const named = namedLetter(answer, options);
  if (named !== undefined) return named;
  const tokens = rubricTokens(answer);
  const optionTokens = [...options].map(([letter, text]) => ({ letter, tokens: rubricTokens(text) }));
  const equal = optionTokens.find((o) => o.tokens.length > 0 && o.tokens.join(' ') === tokens.join(' '));
  if (equal) return equal.letter;
  const found = optionTokens.filter((o) => indexOfRun(tokens, o.tokens) >= 0);
  const maximal = found.filter(
    (o) => !found.some((p) => p !== o && p.tokens.length > o.tokens.length && indexOfRun(p.tokens, o.tokens) >= 0),
  );
  if (maximal.length > 1) return 'several';
  return maximal.length === 1 ? maximal[0].letter : undefined;
}
