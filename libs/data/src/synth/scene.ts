import type { Canvas, SKRSContext2D } from '@napi-rs/canvas';
import type { Rng } from '@coin/core';
import { canvasModule } from './canvas.js';
import { css, drawObject, type Box, type Rgb } from './draw.js';
import { ensureFonts, FONT_FAMILY_CONDENSED } from './fonts.js';
import { BACKGROUNDS, COLOURS, OBJECT_CLASSES, type Colour, type ObjectClass } from './world.js';

export type SizeName = 'small' | 'large';

export interface PlacedObject {
  readonly cls: ObjectClass;
  readonly colour: Colour;
  readonly size: SizeName;
  /** Tight box of the drawing, in pixels (may extend past the image for cropped photos). */
  readonly box: Box;
}

export interface SceneSign {
  readonly text: string;
  readonly board: Rgb;
  readonly boardName: string;
  readonly ink: Rgb;
  readonly box: Box;
}

export interface Scene {
  readonly width: number;
  readonly height: number;
  readonly background: Rgb;
  readonly objects: readonly PlacedObject[];
  readonly sign?: SceneSign;
  /** Box-blur radius in pixels applied to the whole photo (VizWiz-like); 0 = sharp. */
  readonly blur?: number;
}

export interface ObjectSpec {
  readonly cls?: ObjectClass;
  readonly colour?: Colour;
  readonly size?: SizeName;
}

export const SIGN_BOARDS: ReadonlyArray<{ name: string; board: Rgb; ink: Rgb }> = [
  { name: 'white', board: [250, 250, 250], ink: [20, 20, 20] },
  { name: 'blue', board: [30, 70, 190], ink: [255, 255, 255] },
  { name: 'green', board: [20, 120, 50], ink: [255, 255, 255] },
  { name: 'red', board: [200, 30, 30], ink: [255, 255, 255] },
  { name: 'yellow', board: [245, 210, 40], ink: [20, 20, 20] },
];

function overlaps(a: Box, b: Box, gap: number): boolean {
  return a.x < b.x + b.w + gap && b.x < a.x + a.w + gap && a.y < b.y + b.h + gap && b.y < a.y + a.h + gap;
}

/** Object height as a fraction of the image's shorter side. */
const SIZE_FRACTION: Readonly<Record<SizeName, number>> = { small: 0.24, large: 0.42 };

/**
 * Places objects without overlap (and away from `avoid`), left-right separated enough that
 * "left of"/"right of" questions have one answer. Returns undefined when the layout does not
 * fit; callers draw again with the same stream.
 */
export function placeObjects(
  rng: Rng,
  width: number,
  height: number,
  specs: readonly ObjectSpec[],
  avoid: readonly Box[] = [],
): PlacedObject[] | undefined {
  const short = Math.min(width, height);
  const placed: PlacedObject[] = [];
  for (const spec of specs) {
    const cls = spec.cls ?? rng.pick(OBJECT_CLASSES);
    const colour = spec.colour ?? rng.pick(COLOURS);
    const size = spec.size ?? (rng.chance(0.5) ? 'small' : 'large');
    let h = Math.round(SIZE_FRACTION[size] * short * rng.range(0.92, 1.08));
    let w = Math.round(h * cls.aspect);
    if (w > width * 0.6) {
      w = Math.round(width * 0.6);
      h = Math.round(w / cls.aspect);
    }
    let box: Box | undefined;
    for (let attempt = 0; attempt < 40 && !box; attempt++) {
      const cand = { x: 1 + rng.int(Math.max(1, width - w - 2)), y: 1 + rng.int(Math.max(1, height - h - 2)), w, h };
      const clash = [...placed.map((p) => p.box), ...avoid].some((b) => overlaps(cand, b, 2));
      const tooAligned = placed.some((p) => Math.abs(p.box.x + p.box.w / 2 - (cand.x + w / 2)) < short * 0.08);
      if (!clash && !tooAligned) box = cand;
    }
    if (!box) return undefined;
    placed.push({ cls, colour, size, box });
  }
  return placed;
}

/** A sign board with a word, in the upper part of the image. */
export function placeSign(rng: Rng, width: number, height: number, text: string): SceneSign {
  const style = rng.pick(SIGN_BOARDS);
  const w = Math.round(width * rng.range(0.5, 0.7));
  const h = Math.round(height * rng.range(0.24, 0.3));
  const x = rng.int(width - w);
  const y = rng.int(Math.max(1, Math.round(height * 0.4) - h));
  return { text, board: style.board, boardName: style.name, ink: style.ink, box: { x, y, w, h } };
}

export function randomBackground(rng: Rng): Rgb {
  return rng.pick(BACKGROUNDS);
}

/** Draws `text` centred in `box`, shrinking the font until it fits. */
export function drawText(ctx: SKRSContext2D, text: string, box: Box, ink: Rgb, maxPx: number): void {
  ensureFonts();
  let px = Math.max(6, Math.floor(maxPx));
  for (; px > 5; px--) {
    ctx.font = `${px}px ${FONT_FAMILY_CONDENSED}`;
    if (ctx.measureText(text).width <= box.w * 0.92) break;
  }
  ctx.fillStyle = css(ink);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, box.x + box.w / 2, box.y + box.h / 2);
}

/** Renders a scene to PNG bytes. */
export function renderScene(scene: Scene): Buffer {
  return drawScene(scene).toBuffer('image/png');
}

/** Draws a scene on a canvas of its size (renderScene encodes it; patchScene also reads its pixels). */
export function drawScene(scene: Scene): Canvas {
  const canvas = canvasModule().createCanvas(scene.width, scene.height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = css(scene.background);
  ctx.fillRect(0, 0, scene.width, scene.height);
  if (scene.sign) {
    const { box, board, ink, text } = scene.sign;
    ctx.fillStyle = 'rgb(90,90,90)';
    ctx.fillRect(box.x + box.w / 2 - 1, box.y + box.h, 2, scene.height);
    ctx.fillStyle = css(board);
    ctx.fillRect(box.x, box.y, box.w, box.h);
    drawText(ctx, text, box, ink, box.h * 0.8);
  }
  for (const o of scene.objects) drawObject(ctx, o.cls.name, o.box, o.colour.rgb);
  if (scene.blur && scene.blur > 0) boxBlur(ctx, scene.width, scene.height, scene.blur);
  return canvas;
}

/** Three box-blur passes (≈ Gaussian), done on the pixels here so the result is exact everywhere. */
function boxBlur(ctx: SKRSContext2D, width: number, height: number, radius: number): void {
  const img = ctx.getImageData(0, 0, width, height);
  const src = img.data;
  let a = Float32Array.from(src);
  let b = new Float32Array(a.length);
  const r = Math.max(1, Math.round(radius));
  for (let pass = 0; pass < 3; pass++) {
    for (const horizontal of [true, false]) {
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          for (let c = 0; c < 3; c++) {
            let sum = 0;
            for (let k = -r; k <= r; k++) {
              const xx = horizontal ? Math.min(width - 1, Math.max(0, x + k)) : x;
              const yy = horizontal ? y : Math.min(height - 1, Math.max(0, y + k));
              sum += a[(yy * width + xx) * 4 + c];
            }
            b[(y * width + x) * 4 + c] = sum / (2 * r + 1);
          }
          b[(y * width + x) * 4 + 3] = 255;
        }
      }
      [a, b] = [b, a];
    }
  }
  for (let i = 0; i < src.length; i++) src[i] = Math.round(a[i]);
  ctx.putImageData(img, 0, 0);
}
