import { placeObjects, placeSign, randomBackground, renderScene, type Scene } from '../scene.js';
import { SIGN_WORDS } from '../world.js';
import { describeScene } from '../describe.js';
import type { Rng } from '@coin/core';
import { idOffset, pad, type GenContext, type SynthItem } from './types.js';

/**
 * TextVQA-like scene text: a sign with a word among the world's objects. The official val file
 * needs 10 human answers per question; most annotators agree, a few write a variant, so the
 * VQA soft accuracy behaves as on real data.
 */
const QUESTIONS = [
  'what does the sign say?',
  'what is written on the sign?',
  'what word is on the sign?',
  'what does the {board} sign say?',
  'what is written on the {board} sign?',
];

function humanAnswers(rng: Rng, word: string): string[] {
  const answers: string[] = [];
  for (let k = 0; k < 10; k++) {
    const r = rng.next();
    if (r < 0.8) answers.push(word);
    else if (r < 0.88) answers.push(word.toUpperCase());
    else if (r < 0.94) answers.push(`${word} sign`);
    else answers.push(word.length > 2 ? word.slice(0, -1) : 'unanswerable');
  }
  return answers;
}

export function generateTextVQA(ctx: GenContext): SynthItem {
  const { rng } = ctx;
  const size = ctx.imageSize;
  const word = rng.pick(SIGN_WORDS);
  let scene: Scene | undefined;
  while (!scene) {
    const sign = placeSign(rng, size, size, word);
    const objects = placeObjects(
      rng,
      size,
      size,
      Array.from({ length: rng.int(3) }, () => ({ size: 'small' as const })),
      [sign.box],
    );
    if (objects) scene = { width: size, height: size, background: randomBackground(rng), objects, sign };
  }
  const question = rng.pick(QUESTIONS).replace('{board}', scene.sign?.boardName ?? '');
  const questionId = idOffset(ctx.split) + ctx.index;
  const imageId = `${ctx.split === 'train' ? 'a' : 'b'}${pad(ctx.index, 15)}`;
  return {
    id: questionId,
    imagePath: `TextVQA/train_images/${imageId}.png`,
    renderImage: () => renderScene(scene),
    prompt: question,
    answer: word,
    caption: `A street picture with ${describeScene(scene)}.`,
    official: {
      question_id: questionId,
      question,
      image_id: imageId,
      image_width: size,
      image_height: size,
      answers: humanAnswers(rng, word),
      question_tokens: question.replace('?', '').split(' '),
      image_classes: scene.objects.map((o) => o.cls.name),
      flickr_original_url: '',
      flickr_300k_url: '',
      set_name: ctx.split === 'train' ? 'train' : 'val',
    },
  };
}
