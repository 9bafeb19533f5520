import { placeObjects, randomBackground, renderScene, type PlacedObject, type Scene } from '../scene.js';
import { OBJECT_CLASSES } from '../world.js';
import { centreX, describeScene } from '../describe.js';
import type { Box } from '../draw.js';
import { normaliseBox } from '../../readers/refcoco.js';
import type { Rng } from '@coin/core';
import { pad, type GenContext, type SynthItem } from './types.js';

/**
 * RefCOCO-like referring expressions answered with a box. Images are often not square, as COCO
 * photos are, so the box normalisation matters: corners are shifted as if the image were padded
 * to a centred square of side max(W, H) and divided by that side (docs/file-formats.md#test-records), printed with
 * two decimals: "[x1, y1, x2, y2]".
 */
export function normalisedBox(box: Box, width: number, height: number): [number, number, number, number] {
  return normaliseBox([box.x, box.y, box.w, box.h], width, height); // the RefCOCO reader's rule
}

export function formatBox(b: readonly number[]): string {
  return `[${b.map((v) => v.toFixed(2)).join(', ')}]`;
}

/** A phrase that picks out `target` and nothing else in the scene, or undefined. */
export function referringExpression(rng: Rng, scene: Scene, target: PlacedObject): string | undefined {
  const same = scene.objects.filter((o) => o.cls === target.cls);
  const name = target.cls.name;
  const candidates: string[] = [];
  if (same.length === 1) candidates.push(name, `${target.colour.name} ${name}`);
  if (same.filter((o) => o.colour === target.colour).length === 1) candidates.push(`${target.colour.name} ${name}`);
  if (same.length >= 2) {
    const xs = same.map(centreX);
    if (centreX(target) === Math.min(...xs)) candidates.push(`${name} on the left`, `left ${name}`);
    if (centreX(target) === Math.max(...xs)) candidates.push(`${name} on the right`, `right ${name}`);
    if (same.filter((o) => o.size === target.size).length === 1)
      candidates.push(`${target.size === 'large' ? 'big' : 'small'} ${name}`);
  }
  return candidates.length > 0 ? rng.pick(candidates) : undefined;
}

function imageShape(rng: Rng, size: number): [number, number] {
  const r = rng.next();
  const short = Math.round(size * 0.75);
  return r < 0.45 ? [size, short] : r < 0.8 ? [short, size] : [size, size];
}

export function generateGrounding(ctx: GenContext): SynthItem {
  const { rng } = ctx;
  for (;;) {
    const [width, height] = imageShape(rng, ctx.imageSize);
    const target = rng.pick(OBJECT_CLASSES);
    const specs = [{ cls: target }];
    if (rng.chance(0.5)) specs.push({ cls: target });
    for (let k = rng.int(3); k > 0; k--) specs.push({ cls: rng.pick(OBJECT_CLASSES) });
    const objects = placeObjects(rng, width, height, rng.shuffle(specs));
    if (!objects) continue;
    const scene: Scene = { width, height, background: randomBackground(rng), objects };
    const chosen = rng.pick(objects.filter((o) => o.cls === target));
    const sentence = referringExpression(rng, scene, chosen);
    if (!sentence) continue;
    const imageId = (ctx.split === 'train' ? 100_000 : 200_000) + ctx.index;
    return {
      id: ctx.split === 'train' ? `ref_${ctx.index}` : `refsynth_test_${ctx.index}`,
      imagePath: `COCO2014/train2014/COCO_train2014_${pad(imageId, 12)}.png`,
      renderImage: () => renderScene(scene),
      prompt: sentence,
      answer: formatBox(normalisedBox(chosen.box, width, height)),
      size: [width, height],
      caption: `A picture showing ${describeScene(scene)}.`,
    };
  }
}
