import { placeObjects, randomBackground, renderScene, type PlacedObject, type Scene } from '../scene.js';
import { COLOURS, OBJECT_CLASSES } from '../world.js';
import { article, objectPhrase } from '../describe.js';
import type { Rng } from '@coin/core';
import { pad, type GenContext, type SynthItem } from './types.js';

/**
 * VizWiz-like photos taken without seeing: one large object, often slightly blurred. About a
 * quarter are unusable and answered "unanswerable", as in VizWiz: the camera missed everything
 * (any question), or the photo is heavily blurred or shows only the object's edge (then only
 * "what is this" questions, because a blurred smudge or an edge still shows the colour).
 */
export const VIZWIZ_UNANSWERABLE_RATE = 0.25;
const QUESTIONS: ReadonlyArray<{ text: string; about: 'class' | 'colour' }> = [
  { text: 'What is this?', about: 'class' },
  { text: 'What is this item?', about: 'class' },
  { text: 'Can you tell me what this is?', about: 'class' },
  { text: 'What color is this?', about: 'colour' },
  { text: 'What color is this object?', about: 'colour' },
];

/** The object shifted so that only a sliver (< 15% of its width) stays in the frame. */
function croppedOut(rng: Rng, size: number): PlacedObject {
  const cls = rng.pick(OBJECT_CLASSES);
  const h = Math.round(size * 0.7);
  const w = Math.round(h * Math.min(cls.aspect, 1.2));
  const visible = Math.max(1, Math.floor(w * rng.range(0.04, 0.12)));
  const x = rng.chance(0.5) ? visible - w : size - visible;
  return { cls, colour: rng.pick(COLOURS), size: 'large', box: { x, y: Math.round((size - h) / 2), w, h } };
}

export function generateVizWiz(ctx: GenContext): SynthItem {
  const { rng } = ctx;
  const size = ctx.imageSize;
  const unanswerable = rng.chance(VIZWIZ_UNANSWERABLE_RATE);
  const how = unanswerable ? rng.pick(['blurred', 'cropped', 'empty'] as const) : 'fine';
  const q = rng.pick(how === 'blurred' || how === 'cropped' ? QUESTIONS.filter((x) => x.about === 'class') : QUESTIONS);
  let scene: Scene | undefined;
  while (!scene) {
    const background = randomBackground(rng);
    if (how === 'cropped') {
      scene = { width: size, height: size, background, objects: [croppedOut(rng, size)] };
    } else if (how === 'empty') {
      scene = { width: size, height: size, background, objects: [], blur: rng.chance(0.5) ? 1 : 0 };
    } else {
      const objects = placeObjects(rng, size, size, [{ size: 'large' }]);
      // Heavy blur: radius ≈ 1/8 of the image, which leaves a coloured smudge but no shape.
      const blur = how === 'blurred' ? Math.max(3, Math.round(size / 8)) : rng.chance(0.4) ? 1 : 0;
      if (objects) scene = { width: size, height: size, background, objects, blur };
    }
  }
  const object = scene.objects[0];
  const answer = unanswerable || !object ? 'unanswerable' : q.about === 'class' ? object.cls.name : object.colour.name;
  const file = `VizWiz_${ctx.split === 'train' ? 'train' : 'val'}_${pad(ctx.index + 1, 8)}.png`;
  return {
    id: file,
    imagePath: `VizWiz/${ctx.split === 'train' ? 'train' : 'val'}/${file}`,
    renderImage: () => renderScene(scene),
    prompt: q.text,
    answer,
    caption:
      how === 'fine' && object
        ? `A hand-held photo of ${article(objectPhrase(object))}.`
        : how === 'blurred'
          ? 'A very blurry photo; only a smudge of colour can be seen.'
          : how === 'cropped'
            ? 'A photo where the camera missed the object; only its edge shows at the side.'
            : 'A photo of a bare wall; the camera missed whatever was meant to be shown.',
  };
}
