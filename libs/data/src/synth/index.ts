export * from './world.js';
export { drawObject, type Box, type Rgb } from './draw.js';
export * from './scene.js';
export * from './patch-scenes.js';
export * from './book.js';
export * from './fonts.js';
export * from './answer-formats.js';
export * from './official.js';
export * from './facts.js';
export * from './generate.js';
export * from './check.js';
export * from './prepare.js';
export {
  TASK_GENERATORS,
  normalisedBox,
  formatBox,
  referringExpression,
  VIZWIZ_UNANSWERABLE_RATE,
  type GenContext,
  type SynthItem,
  type Split,
} from './tasks/index.js';
