import type { CoinTask } from '../formats/records.js';

/**
 * The answer format of each task as CoIN-Synth writes it (and as CoIN's scorers expect it).
 * These formats conflict across tasks on purpose, as in CoIN: the same cat is "C" (ScienceQA),
 * "Cat" (ImageNet), "cat" (VQAv2) or a box (Grounding).
 */
export const ANSWER_PATTERNS: Readonly<Record<CoinTask, RegExp>> = {
  ScienceQA: /^[A-E]$/,
  TextVQA: /^[a-z0-9]+$/,
  ImageNet: /^[A-Z][a-z]*( [a-z]+)*$/,
  GQA: /^[a-z]+( [a-z]+)*$/,
  VizWiz: /^[a-z]+( [a-z]+)*$/,
  Grounding: /^\[[01]\.\d\d, [01]\.\d\d, [01]\.\d\d, [01]\.\d\d\]$/,
  VQAv2: /^([a-z]+( [a-z]+)*|\d+)$/,
  OCRVQA: /^[A-Z][A-Za-z',&. ]*$/,
};
