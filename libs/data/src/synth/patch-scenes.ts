import type { Rng } from '@coin/core';
import type { RgbImage } from '../images/decode.js';
import { drawScene, placeObjects, randomBackground, type Scene } from './scene.js';
import { COLOURS, OBJECT_CLASSES } from './world.js';

/** A warm-up image and, per patch of a grid × grid split (row-major), what lies under its centre. */
export interface PatchScene {
  /** The drawn image, size × size (no PNG round trip: the warm-up feeds it straight to preprocessRgb). */
  readonly rgb: RgbImage;
  /** 0 = background, else 1 + the index of the object's class in OBJECT_CLASSES. */
  readonly classes: Int32Array;
  /** 0 = background, else 1 + the index of the object's colour in COLOURS. */
  readonly colours: Int32Array;
}

/** How many labels each patch head tells apart (background included). */
export const PATCH_LABELS = { classes: OBJECT_CLASSES.length + 1, colours: COLOURS.length + 1 } as const;

/** Summed |ΔR| + |ΔG| + |ΔB| under which a patch centre counts as the background's colour. */
const BACKGROUND_TOLERANCE = 24;

/**
 * A scene of one to five of the world's objects (sizes, colours and backgrounds as the tasks draw
 * them; sometimes blurred, as VizWiz-like photos are) with each patch labelled by the object drawn
 * at the patch's centre pixel (the object whose box holds it, unless the pixel shows the background). The vision tower's warm-up learns from these (docs/protocol.md#the-base-model).
 */
export function patchScene(rng: Rng, size: number, grid: number): PatchScene {
  if (!Number.isInteger(grid) || grid < 1 || size % grid !== 0)
    throw new RangeError(`patchScene: a ${size}-pixel image does not split into a ${grid} × ${grid} grid`);
  for (;;) {
    const count = 1 + rng.int(5);
    const objects = placeObjects(
      rng,
      size,
      size,
      Array.from({ length: count }, () => ({})),
    );
    if (!objects) continue;
    const scene: Scene = {
      width: size,
      height: size,
      background: randomBackground(rng),
      objects,
      blur: rng.chance(0.15) ? size / 64 : 0,
    };
    const canvas = drawScene(scene);
    const pixels = canvas.getContext('2d').getImageData(0, 0, size, size).data;
    const classes = new Int32Array(grid * grid);
    const colours = new Int32Array(grid * grid);
    const cell = size / grid;
    const [r, g, b] = scene.background;
    for (let gy = 0; gy < grid; gy++) {
      for (let gx = 0; gx < grid; gx++) {
        const cx = Math.floor((gx + 0.5) * cell);
        const cy = Math.floor((gy + 0.5) * cell);
        const k = (cy * size + cx) * 4;
        // Inside a box but on the background (a star's corner, a mug's handle hole): background.
        if (Math.abs(pixels[k] - r) + Math.abs(pixels[k + 1] - g) + Math.abs(pixels[k + 2] - b) < BACKGROUND_TOLERANCE)
          continue;
        const o = objects.find(
          (p) => cx >= p.box.x && cx < p.box.x + p.box.w && cy >= p.box.y && cy < p.box.y + p.box.h,
        );
        if (!o) continue;
        classes[gy * grid + gx] = 1 + OBJECT_CLASSES.indexOf(o.cls);
        colours[gy * grid + gx] = 1 + COLOURS.indexOf(o.colour);
      }
    }
    const rgb = new Uint8Array(size * size * 3);
    for (let i = 0; i < size * size; i++) rgb.set(pixels.subarray(i * 4, i * 4 + 3), i * 3);
    return { rgb: { width: size, height: size, data: rgb }, classes, colours };
  }
}
