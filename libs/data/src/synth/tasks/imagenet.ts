import { placeObjects, randomBackground, renderScene, type Scene } from '../scene.js';
import { imagenetLabel } from '../world.js';
import { article, objectPhrase } from '../describe.js';
import { pad, type GenContext, type SynthItem } from './types.js';

/** ImageNet-like classification: one object; the answer is the capitalised class name ("Coffee mug"). */
export function generateImageNet(ctx: GenContext): SynthItem {
  const { rng } = ctx;
  const size = ctx.imageSize;
  let scene: Scene | undefined;
  while (!scene) {
    const objects = placeObjects(rng, size, size, [{}]);
    if (objects) scene = { width: size, height: size, background: randomBackground(rng), objects };
  }
  const object = scene.objects[0];
  const file = `SYNTH2012_${ctx.split === 'train' ? 'train' : 'val'}_${pad(ctx.index + 1, 8)}.png`;
  return {
    id: file,
    imagePath: `ImageNet_withlabel/${ctx.split === 'train' ? 'train' : 'val'}/${file}`,
    renderImage: () => renderScene(scene),
    prompt: 'What is the object in the image?',
    answer: imagenetLabel(object.cls.name),
    caption: `A close-up photo of ${article(objectPhrase(object))}.`,
  };
}
