/**
 * The EvalAI / VQA answer normaliser that CoIN's TextVQA scorer uses (docs/protocol.md#scorer-textvqa), reproduced with
 * its quirks, because published TextVQA numbers depend on them:
 * - `'s` is split off ("cat's" → "cat 's") before punctuation handling;
 * - a punctuation symbol is deleted when the text has it next to a space (or a digit,digit pattern,
 *   which can never occur as commas are already gone), otherwise replaced by a space;
 * - the period regex's intended look-behind is mistyped as a look-ahead that always passes, so a
 *   period is removed unless a digit follows; its flag argument lands in the `count` slot, so only
 *   the first 32 (= re.UNICODE) periods are removed;
 * - the contraction table has capitalised keys ("Im", "Ive", "Id've") that never match lower-cased
 *   text, and maps "somebody'd" to "somebodyd".
 * Python's `\d` in these str patterns is Unicode (category Nd), so digits in any script count.
 */
import { pyStrip } from '@coin/core';
import { pySplitWhitespace } from '../python/text.js';
import { pyLower } from '../python/unicode14.js';

const CONTRACTIONS = new Map<string, string>(
  Object.entries({
    aint: "ain't",
    arent: "aren't",
    cant: "can't",
    couldve: "could've",
    couldnt: "couldn't",
    "couldn'tve": "couldn't've",
    "couldnt've": "couldn't've",
    didnt: "didn't",
    doesnt: "doesn't",
    dont: "don't",
    hadnt: "hadn't",
    "hadnt've": "hadn't've",
    "hadn'tve": "hadn't've",
    hasnt: "hasn't",
    havent: "haven't",
    hed: "he'd",
    "hed've": "he'd've",
    "he'dve": "he'd've",
    hes: "he's",
    howd: "how'd",
    howll: "how'll",
    hows: "how's",
    "Id've": "I'd've",
    "I'dve": "I'd've",
    Im: "I'm",
    Ive: "I've",
    isnt: "isn't",
    itd: "it'd",
    "itd've": "it'd've",
    "it'dve": "it'd've",
    itll: "it'll",
    "let's": "let's",
    maam: "ma'am",
    mightnt: "mightn't",
    "mightnt've": "mightn't've",
    "mightn'tve": "mightn't've",
    mightve: "might've",
    mustnt: "mustn't",
    mustve: "must've",
    neednt: "needn't",
    notve: "not've",
    oclock: "o'clock",
    oughtnt: "oughtn't",
    "ow's'at": "'ow's'at",
    "'ows'at": "'ow's'at",
    "'ow'sat": "'ow's'at",
    shant: "shan't",
    "shed've": "she'd've",
    "she'dve": "she'd've",
    "she's": "she's",
    shouldve: "should've",
    shouldnt: "shouldn't",
    "shouldnt've": "shouldn't've",
    "shouldn'tve": "shouldn't've",
    "somebody'd": 'somebodyd',
    "somebodyd've": "somebody'd've",
    "somebody'dve": "somebody'd've",
    somebodyll: "somebody'll",
    somebodys: "somebody's",
    someoned: "someone'd",
    "someoned've": "someone'd've",
    "someone'dve": "someone'd've",
    someonell: "someone'll",
    someones: "someone's",
    somethingd: "something'd",
    "somethingd've": "something'd've",
    "something'dve": "something'd've",
    somethingll: "something'll",
    thats: "that's",
    thered: "there'd",
    "thered've": "there'd've",
    "there'dve": "there'd've",
    therere: "there're",
    theres: "there's",
    theyd: "they'd",
    "theyd've": "they'd've",
    "they'dve": "they'd've",
    theyll: "they'll",
    theyre: "they're",
    theyve: "they've",
    twas: "'twas",
    wasnt: "wasn't",
    "wed've": "we'd've",
    "we'dve": "we'd've",
    weve: "we've",
    werent: "weren't",
    whatll: "what'll",
    whatre: "what're",
    whats: "what's",
    whatve: "what've",
    whens: "when's",
    whered: "where'd",
    wheres: "where's",
    whereve: "where've",
    whod: "who'd",
    "whod've": "who'd've",
    "who'dve": "who'd've",
    wholl: "who'll",
    whos: "who's",
    whove: "who've",
    whyll: "why'll",
    whyre: "why're",
    whys: "why's",
    wont: "won't",
    wouldve: "would've",
    wouldnt: "wouldn't",
    "wouldnt've": "wouldn't've",
    "wouldn'tve": "wouldn't've",
    yall: "y'all",
    "yall'll": "y'all'll",
    "y'allll": "y'all'll",
    "yall'd've": "y'all'd've",
    "y'alld've": "y'all'd've",
    "y'all'dve": "y'all'd've",
    youd: "you'd",
    "youd've": "you'd've",
    "you'dve": "you'd've",
    youll: "you'll",
    youre: "you're",
    youve: "you've",
  }),
);

const NUMBER_WORDS = new Map<string, string>([
  ['none', '0'],
  ['zero', '0'],
  ['one', '1'],
  ['two', '2'],
  ['three', '3'],
  ['four', '4'],
  ['five', '5'],
  ['six', '6'],
  ['seven', '7'],
  ['eight', '8'],
  ['nine', '9'],
  ['ten', '10'],
]);

const ARTICLES = new Set(['a', 'an', 'the']);

const PUNCTUATIONS = [
  ';',
  '/',
  '[',
  ']',
  '"',
  '{',
  '}',
  '(',
  ')',
  '=',
  '+',
  '\\',
  '_',
  '-',
  '>',
  '<',
  '@',
  '`',
  ',',
  '?',
  '!',
];

const DIGIT_COMMA_DIGIT = /(?<=\p{Nd}),+(?=\p{Nd})/u;
const PERIOD_NOT_BEFORE_DIGIT = /\.(?!\p{Nd})/gu;
/** `re.sub(pattern, "", text, re.UNICODE)`: the flag value 32 is taken as the count. */
const PERIOD_SUB_COUNT = 32;

function processPunctuation(inText: string): string {
  let out = inText;
  const digitComma = DIGIT_COMMA_DIGIT.test(inText);
  for (const p of PUNCTUATIONS) {
    // The condition looks at the text as it came in, the edit applies to the running result.
    if (inText.includes(`${p} `) || inText.includes(` ${p}`) || digitComma) out = out.replaceAll(p, '');
    else out = out.replaceAll(p, ' ');
  }
  let removed = 0;
  return out.replace(PERIOD_NOT_BEFORE_DIGIT, (m) => {
    if (removed >= PERIOD_SUB_COUNT) return m;
    removed += 1;
    return '';
  });
}

function processDigitArticle(inText: string): string {
  const words: string[] = [];
  for (const raw of pySplitWhitespace(pyLower(inText))) {
    const word = NUMBER_WORDS.get(raw) ?? raw;
    if (!ARTICLES.has(word)) words.push(word);
  }
  return words.map((w) => CONTRACTIONS.get(w) ?? w).join(' ');
}

/** One answer through EvalAIAnswerProcessor.__call__. */
export function normalizeVqaAnswer(answer: string): string {
  let item = pyLower(answer).replaceAll(',', '').replaceAll('?', '').replaceAll("'s", " 's");
  item = pyStrip(item);
  item = pyStrip(item.replaceAll('\n', ' ').replaceAll('\t', ' '));
  item = processPunctuation(item);
  return processDigitArticle(item);
}

/**
 * Soft accuracy of one prediction against 10 human answers (already normalised): the mean over
 * the 10 leave-one-out subsets of min(1, matches among the other 9 / 3), summed in annotator order
 * exactly as the original does (floating point order matters for ties at .xx5).
 */
export function vqaSoftScore(prediction: string, humanAnswers: readonly string[]): number {
  if (!humanAnswers.includes(prediction)) return 0;
  let sum = 0;
  for (let k = 0; k < humanAnswers.length; k += 1) {
    let matches = 0;
    for (let j = 0; j < humanAnswers.length; j += 1) if (j !== k && humanAnswers[j] === prediction) matches += 1;
    sum += Math.min(1, matches / 3);
  }
  return sum / humanAnswers.length;
}
