import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { Rng } from '@coin/core';
import { placeObjects, renderScene } from './scene.js';
import { OBJECT_CLASSES, COLOURS, imagenetLabel } from './world.js';
import { hasDrawing } from './draw.js';
import { formatBox, normalisedBox, referringExpression } from './tasks/grounding.js';
import type { Scene } from './scene.js';

test('every class has a drawing; ImageNet labels are capitalised like Python str.capitalize()', () => {
  for (const c of OBJECT_CLASSES) assert.ok(hasDrawing(c.name), c.name);
  assert.equal(imagenetLabel('coffee mug'), 'Coffee mug');
  assert.equal(imagenetLabel('cat'), 'Cat');
});

/** Bounding box of pixels that differ from the background colour (RGBA raw). */
function inkBox(
  data: Uint8Array,
  width: number,
  height: number,
  bg: readonly number[],
): [number, number, number, number] | undefined {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const d = Math.abs(data[i] - bg[0]) + Math.abs(data[i + 1] - bg[1]) + Math.abs(data[i + 2] - bg[2]);
      if (d > 30) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x + 1);
        y1 = Math.max(y1, y + 1);
      }
    }
  }
  return Number.isFinite(x0) ? [x0, y0, x1, y1] : undefined;
}

test('each class is drawn tightly inside its box (the Grounding answer box)', async () => {
  const bg = [236, 236, 228] as const;
  for (const [k, cls] of OBJECT_CLASSES.entries()) {
    for (const colour of [COLOURS[k % COLOURS.length], COLOURS[(k + 4) % COLOURS.length]]) {
      const rng = Rng.for(3, 'draw', cls.name, colour.name);
      const objects = placeObjects(rng, 96, 72, [{ cls, colour, size: 'large' }]);
      assert.ok(objects);
      const scene: Scene = { width: 96, height: 72, background: bg, objects };
      const { data, info } = await sharp(renderScene(scene)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const ink = inkBox(data, info.width, info.height, bg);
      assert.ok(ink, `${cls.name} drew nothing`);
      const b = objects[0].box;
      const box = [b.x, b.y, b.x + b.w, b.y + b.h];
      for (let i = 0; i < 4; i++)
        assert.ok(Math.abs(ink[i] - box[i]) <= 1.5, `${cls.name}/${colour.name}: ink ${ink} vs box ${box}`);
    }
  }
});

test('normalisedBox pads to a centred square of side max(W, H) (docs/file-formats.md#test-records)', () => {
  // Landscape 100×50: y shifts by 25, all divided by 100.
  assert.deepEqual(normalisedBox({ x: 10, y: 10, w: 20, h: 20 }, 100, 50), [0.1, 0.35, 0.3, 0.55]);
  // Portrait 50×100: x shifts by 25.
  assert.deepEqual(normalisedBox({ x: 10, y: 10, w: 20, h: 20 }, 50, 100), [0.35, 0.1, 0.55, 0.3]);
  assert.equal(formatBox([0.1, 0.35, 0.3, 0.555]), '[0.10, 0.35, 0.30, 0.56]');
});

test('referring expressions are unique: two cats are told apart by colour, side or size', () => {
  const cat = OBJECT_CLASSES.find((c) => c.name === 'cat')!;
  const red = COLOURS.find((c) => c.name === 'red')!;
  const objects = [
    { cls: cat, colour: red, size: 'small' as const, box: { x: 2, y: 2, w: 10, h: 10 } },
    { cls: cat, colour: red, size: 'small' as const, box: { x: 40, y: 2, w: 10, h: 10 } },
  ];
  const scene: Scene = { width: 64, height: 64, background: [0, 0, 0], objects };
  for (let i = 0; i < 20; i++) {
    const e = referringExpression(new Rng(i), scene, objects[0]);
    assert.ok(e === 'left cat' || e === 'cat on the left', String(e));
  }
});
