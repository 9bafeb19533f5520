import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage, type RgbImage } from './decode.js';
import { resizeBicubic } from './resize.js';
import {
  CLIP_MEAN,
  CLIP_STD,
  centreCrop,
  expandToSquare,
  padColour,
  preprocessImage,
  preprocessRgb,
} from './preprocess.js';
import { ImageTensorCache } from './cache.js';

/** The 7×5 pattern used to record PIL 9.4's `Image.resize(..., Image.BICUBIC)` output below. */
function pattern(): RgbImage {
  const w = 7;
  const h = 5;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      data[i] = (x * 37 + y * 11) % 256;
      data[i + 1] = (x * 5 + y * 53 + 7) % 256;
      data[i + 2] = (x * x * 3 + y * 19 + 100) % 256;
    }
  }
  return { width: w, height: h, data };
}

// Recorded once with Pillow 9.4 (Debian python3-pil) from the same pattern.
const PIL_BICUBIC: Record<string, number[]> = {
  '3x2': [36, 56, 118, 120, 67, 144, 207, 78, 200, 62, 178, 162, 148, 189, 194, 196, 200, 169],
  '4x7': [
    14, 6, 100, 76, 14, 112, 144, 24, 145, 206, 32, 193, 20, 35, 110, 82, 43, 122, 150, 53, 155, 212, 61, 203, 29, 77,
    125, 91, 85, 137, 159, 95, 170, 221, 103, 223, 37, 115, 139, 99, 123, 151, 167, 133, 184, 229, 141, 232, 45, 153,
    153, 107, 161, 165, 174, 171, 205, 247, 179, 139, 54, 195, 168, 116, 203, 180, 188, 213, 223, 183, 221, 110, 60,
    224, 178, 122, 232, 190, 200, 242, 233, 102, 250, 130,
  ],
};
const PIL_12x9_FIRST_ROW = [
  0, 3, 98, 9, 4, 99, 34, 8, 101, 56, 11, 105, 78, 14, 112, 99, 17, 120, 121, 19, 131, 142, 22, 143, 164, 25, 158, 186,
  28, 174, 211, 32, 196, 224, 33, 209,
];
const PIL_12x9_LAST_ROW = [
  42, 223, 178, 55, 224, 179, 80, 228, 181, 102, 231, 185, 124, 234, 192, 145, 237, 200, 167, 239, 211, 188, 242, 223,
  226, 245, 252, 224, 248, 248, 69, 252, 103, 0, 253, 12,
];

test('resizeBicubic matches PIL bicubic when shrinking and enlarging', () => {
  for (const [size, expected] of Object.entries(PIL_BICUBIC)) {
    const [w, h] = size.split('x').map(Number);
    assert.deepEqual([...resizeBicubic(pattern(), w, h).data], expected, size);
  }
  const big = resizeBicubic(pattern(), 12, 9).data;
  assert.deepEqual([...big.subarray(0, 36)], PIL_12x9_FIRST_ROW);
  assert.deepEqual([...big.subarray(big.length - 36)], PIL_12x9_LAST_ROW);
});

test('expandToSquare centres the image on the mean colour (122, 116, 104)', () => {
  assert.deepEqual(padColour(), [122, 116, 104]);
  const img: RgbImage = { width: 3, height: 1, data: new Uint8Array([1, 1, 1, 2, 2, 2, 3, 3, 3]) };
  const sq = expandToSquare(img, padColour());
  assert.equal(sq.width, 3);
  assert.equal(sq.height, 3);
  assert.deepEqual([...sq.data.subarray(0, 3)], [122, 116, 104]);
  assert.deepEqual([...sq.data.subarray(9, 18)], [1, 1, 1, 2, 2, 2, 3, 3, 3]); // middle row
  // Tall image with an odd difference: offset floor((4 - 1) / 2) = 1 column.
  const tall = expandToSquare({ width: 1, height: 4, data: new Uint8Array(12).fill(9) }, [0, 0, 0]);
  assert.deepEqual([...tall.data.subarray(0, 12)], [0, 0, 0, 9, 9, 9, 0, 0, 0, 0, 0, 0]);
});

test('centreCrop takes (H - S) // 2 from the top', () => {
  const img: RgbImage = { width: 1, height: 5, data: new Uint8Array([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]) };
  const c = centreCrop({ ...img, width: 1 }, 1);
  assert.deepEqual([...c.data], [2, 2, 2]);
});

test('decodeImage drops alpha, expands grey, reads JPEG', async () => {
  const rgba = Buffer.from([255, 0, 0, 0, 0, 255, 0, 128, 0, 0, 255, 255, 10, 20, 30, 40]);
  const png = await sharp(rgba, { raw: { width: 2, height: 2, channels: 4 } })
    .png()
    .toBuffer();
  const a = await decodeImage(png);
  assert.equal(a.width, 2);
  assert.deepEqual([...a.data], [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);

  const grey = await sharp(Buffer.from([0, 100, 200, 255]), { raw: { width: 2, height: 2, channels: 1 } })
    .png()
    .toBuffer();
  const g = await decodeImage(grey);
  assert.deepEqual([...g.data], [0, 0, 0, 100, 100, 100, 200, 200, 200, 255, 255, 255]);

  const flat = Buffer.alloc(8 * 8 * 3);
  for (let i = 0; i < 64; i++) flat.set([200, 60, 30], i * 3);
  const jpeg = await sharp(flat, { raw: { width: 8, height: 8, channels: 3 } })
    .jpeg({ quality: 100 })
    .toBuffer();
  const j = await decodeImage(jpeg);
  assert.equal(j.width, 8);
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(j.data[c] - [200, 60, 30][c]) <= 3, `jpeg channel ${c}`);

  await assert.rejects(decodeImage(new Uint8Array([1, 2, 3]), 'junk.png'), /junk\.png/);
});

test('preprocess: pad fills with the mean (normalises to ~0), crop keeps the centre; output is [3, S, S]', () => {
  // A 4×2 white image: padding adds mean-coloured rows top and bottom.
  const white: RgbImage = { width: 4, height: 2, data: new Uint8Array(24).fill(255) };
  const padded = preprocessRgb(white, { size: 4, mode: 'pad' });
  assert.equal(padded.length, 3 * 4 * 4);
  // Channel 0, top-left pixel: (122/255 - mean) / std, close to 0.
  assert.ok(Math.abs(padded[0] - (122 / 255 - CLIP_MEAN[0]) / CLIP_STD[0]) < 1e-6);
  // Channel 2 plane, row 1 (inside the image): white.
  assert.ok(Math.abs(padded[2 * 16 + 4 + 1] - (1 - CLIP_MEAN[2]) / CLIP_STD[2]) < 1e-6);
  const cropped = preprocessRgb(white, { size: 2, mode: 'crop' });
  assert.equal(cropped.length, 3 * 2 * 2);
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(cropped[c * 4] - (1 - CLIP_MEAN[c]) / CLIP_STD[c]) < 1e-6);
});

test('ImageTensorCache: miss, store, hit across instances; key depends on params; no temp files left', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'coin-cache-'));
  try {
    const raw = Buffer.alloc(6 * 3 * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 29) % 256;
    const png = await sharp(raw, { raw: { width: 6, height: 3, channels: 3 } })
      .png()
      .toBuffer();
    const params = { size: 4, mode: 'pad' as const };
    const cache = new ImageTensorCache(dir);
    assert.equal(await cache.get(png, params), undefined);
    const first = await cache.getOrCompute(png, params);
    assert.deepEqual(first, await preprocessImage(png, params));
    const again = await new ImageTensorCache(dir).get(png, params);
    assert.deepEqual(again, first);
    assert.notEqual(cache.keyFor(png, params), cache.keyFor(png, { size: 4, mode: 'crop' }));
    assert.equal(await cache.get(png, { size: 4, mode: 'crop' }), undefined);
    // A truncated entry is a miss, and getOrCompute repairs it.
    const path = cache.pathFor(cache.keyFor(png, params));
    await writeFile(path, Buffer.from('CTEN'));
    assert.equal(await cache.get(png, params), undefined);
    assert.deepEqual(await cache.getOrCompute(png, params), first);
    // Concurrent writers of the same key leave one complete entry and no temporary files.
    await Promise.all([1, 2, 3, 4].map(() => new ImageTensorCache(dir).getOrCompute(png, { size: 5, mode: 'crop' })));
    for (const sub of await readdir(dir)) {
      for (const f of await readdir(join(dir, sub))) assert.ok(f.endsWith('.f32'), f);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
