import { CoinError } from '@coin/core';
import { type CoinTask, INSTRUCTION_VARIANTS, type InstructionVariant } from '../formats/records.js';
import { seededUnit } from './seeded-hash.js';

/**
 * Instruction templates per task and variant (docs/protocol.md#instruction-templates). A template turns the task's question
 * (ScienceQA: question + context + options; Grounding: the referring sentence) into the prompt
 * text whose last line is the instruction (the judge prompt builder relies on that, docs/file-formats.md#test-records).
 *
 * Provenance: only ImageNet's wordings are verified from the authors' files (docs/protocol.md#instruction-templates). Every
 * other wording is ours, following the LLaVA-1.5 conventions the spec names (option-letter
 * instruction for ScienceQA, "single word or phrase" for VQA, LLaVA's RefCOCO box prompt).
 */
export type PromptTemplate = (question: string) => string;

const appendLine =
  (instruction: string): PromptTemplate =>
  (question) =>
    `${question}\n${instruction}`;
const groundingPrompt =
  (lead: string): PromptTemplate =>
  (sentence) =>
    `${lead} ${sentence.trim().replace(/[.\s]+$/, '')}.`;

const LETTER = "Answer with the option's letter from the given choices directly.";
const SHORT = 'Answer the question using a single word or phrase.';
const BOX = 'Please provide the bounding box coordinate of the region this sentence describes:';

/** Original (Instructions_Original / Type1), docs/protocol.md#original-templates. */
const ORIGINAL: Readonly<Record<CoinTask, PromptTemplate>> = {
  ScienceQA: appendLine(LETTER),
  TextVQA: appendLine(SHORT),
  ImageNet: appendLine(SHORT), // verified [hist]
  GQA: appendLine(SHORT),
  VizWiz: appendLine(SHORT),
  Grounding: groundingPrompt(BOX),
  VQAv2: appendLine(SHORT),
  OCRVQA: appendLine(SHORT),
};

/** Diverse (Instructions_Diverse / Type2), docs/protocol.md#diverse-templates: one re-phrased instruction per task. */
const DIVERSE: Readonly<Record<CoinTask, PromptTemplate>> = {
  ScienceQA: appendLine('Select the correct option and reply with its letter only.'),
  TextVQA: appendLine('Read the text in the image and answer with a word or a short phrase.'),
  ImageNet: appendLine('Express your answer in a single word or a short, descriptive phrase.'), // verified [hist]
  GQA: appendLine('Give a brief answer of one word or a short phrase.'),
  VizWiz: appendLine(
    'Reply with a single word or a short phrase; if the question cannot be answered from the photo, reply "unanswerable".',
  ),
  Grounding: groundingPrompt(
    'Locate the object this phrase refers to and output its bounding box as [x1, y1, x2, y2]:',
  ),
  VQAv2: appendLine('Respond with one word or a brief phrase.'),
  OCRVQA: appendLine('Answer using the words printed on the cover, as briefly as possible.'),
};

/**
 * ImageNet's 10Type phrasings, verified [hist] (docs/protocol.md#10type-templates lists 11; the eleventh is the Diverse one,
 * which we leave out so that the ten are distinct from Type2).
 */
const IMAGENET_10: readonly string[] = [
  'Use one word or a short phrase to classify the content of the image.',
  'Summarize your response in a single word or a brief phrase.',
  'Respond to the question with a single word or a short, descriptive phrase.',
  'Identify the type of content in the image using one word or a concise phrase.',
  'Express your answer with one word or a short, descriptive phrase.',
  'Describe the content of the image using one word or a concise phrase.',
  'Use a single word or a short phrase to categorize the image content.',
  'Provide your answer using a single word or a brief phrase.',
  'Classify the image content using only one word or a brief phrase.',
  'Give your answer in the form of a single word or a concise phrase.',
];

/** Ours, for the VQA-style tasks (TextVQA, GQA, VizWiz, VQAv2, OCR-VQA). */
const SHORT_10: readonly string[] = [
  SHORT,
  'Answer with a single word or a short phrase.',
  'Reply using one word or a brief phrase.',
  'Give a concise answer of one word or a short phrase.',
  'Respond with only a word or a short phrase.',
  'Keep your answer to a single word or phrase.',
  'Provide a one-word or short-phrase answer.',
  'State the answer in as few words as possible.',
  'Your answer should be a single word or a brief phrase.',
  'Answer briefly, with one word or a short phrase.',
];

/** Ours, LLaVA-1.5 style. */
const LETTER_10: readonly string[] = [
  LETTER,
  'Reply with the letter of the correct option only.',
  'Choose the right answer and give just its letter.',
  'Answer with the letter (A, B, C, ...) of the correct choice.',
  "Respond only with the correct option's letter.",
  'Pick one of the options and output its letter.',
  'Give the letter of the best option, nothing else.',
  'Select the correct choice; answer with its letter directly.',
  "Output the option's letter that answers the question.",
  'Which option is correct? Reply with its letter only.',
];

/** Ours, LLaVA-1.5 RefCOCO style. */
const BOX_10: readonly string[] = [
  BOX,
  'Give the bounding box [x1, y1, x2, y2] of the region described by:',
  'Output the coordinates of the box around the object described here:',
  'Locate the region this phrase refers to and give its bounding box:',
  'Provide the normalized box [x1, y1, x2, y2] for:',
  'Find the object described below and answer with its bounding box coordinates:',
  'What is the bounding box of the region this sentence describes:',
  'Return the box coordinates of the region matching this description:',
  'Mark the described region with a bounding box [x1, y1, x2, y2]:',
  'Answer with the bounding box of the region referred to by:',
];

const TEN_TYPE: Readonly<Record<CoinTask, readonly PromptTemplate[]>> = {
  ScienceQA: LETTER_10.map(appendLine),
  TextVQA: SHORT_10.map(appendLine),
  ImageNet: IMAGENET_10.map(appendLine),
  GQA: SHORT_10.map(appendLine),
  VizWiz: SHORT_10.map(appendLine),
  Grounding: BOX_10.map(groundingPrompt),
  VQAv2: SHORT_10.map(appendLine),
  OCRVQA: SHORT_10.map(appendLine),
};

/** Every template of a task's variant (one for Original and Diverse, ten for 10Type). */
export function templatesFor(task: CoinTask, variant: InstructionVariant): readonly PromptTemplate[] {
  if (variant === 'original') return [ORIGINAL[task]];
  if (variant === 'diverse') return [DIVERSE[task]];
  return TEN_TYPE[task];
}

/**
 * The prompt text of one item. 10Type picks a phrasing per item from a seeded hash of the item's
 * id (how CoIN chose is unknown, docs/protocol.md#10type-templates): deterministic, independent of file order.
 */
export function renderPrompt(
  task: CoinTask,
  variant: InstructionVariant,
  question: string,
  itemId: string | number,
  seed = 0,
): string {
  const templates = templatesFor(task, variant);
  const pick = templates.length === 1 ? 0 : Math.floor(seededUnit(seed, `${task}/${itemId}`) * templates.length);
  return templates[pick](question);
}

export function parseVariant(name: string): InstructionVariant {
  const lower = name.toLowerCase();
  const match = INSTRUCTION_VARIANTS.find((v) => v === lower);
  if (match === undefined) {
    throw new CoinError('PREP.BAD_VARIANT', 'INVALID_ARGUMENT', `unknown instruction variant ${JSON.stringify(name)}`, {
      hint: `use one of: ${INSTRUCTION_VARIANTS.join(', ')}`,
    });
  }
  return match;
}
