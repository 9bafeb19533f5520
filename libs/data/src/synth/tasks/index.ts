import type { TaskGenerators } from './types.js';
import { generateScienceQA } from './scienceqa.js';
import { generateTextVQA } from './textvqa.js';
import { generateImageNet } from './imagenet.js';
import { generateGQA } from './gqa.js';
import { generateVizWiz } from './vizwiz.js';
import { generateGrounding } from './grounding.js';
import { generateVQAv2 } from './vqav2.js';
import { generateOCRVQA } from './ocrvqa.js';

/** One generator per CoIN task. */
export const TASK_GENERATORS: TaskGenerators = {
  ScienceQA: generateScienceQA,
  TextVQA: generateTextVQA,
  ImageNet: generateImageNet,
  GQA: generateGQA,
  VizWiz: generateVizWiz,
  Grounding: generateGrounding,
  VQAv2: generateVQAv2,
  OCRVQA: generateOCRVQA,
};

export * from './types.js';
export { normalisedBox, formatBox, referringExpression } from './grounding.js';
export { VIZWIZ_UNANSWERABLE_RATE } from './vizwiz.js';
