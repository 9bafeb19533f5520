import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '@coin/core';
import { PATCH_LABELS, patchScene } from './patch-scenes.js';
import { COLOURS, OBJECT_CLASSES } from './world.js';

test('patch scenes: labels in range, background where no object is, and the label follows the pixels', () => {
  const size = 64;
  const grid = 8;
  let objectPatches = 0;
  let backgroundPatches = 0;
  for (let i = 0; i < 20; i++) {
    const scene = patchScene(Rng.for(7, 'patch-test', i), size, grid);
    assert.equal(scene.classes.length, grid * grid);
    const { data, width, height } = scene.rgb;
    assert.deepEqual([width, height, data.length], [size, size, size * size * 3]);
    for (let p = 0; p < grid * grid; p++) {
      const cls = scene.classes[p];
      const colour = scene.colours[p];
      assert.ok(cls >= 0 && cls < PATCH_LABELS.classes && colour >= 0 && colour < PATCH_LABELS.colours);
      assert.equal(cls === 0, colour === 0, `patch ${p}: class and colour are both background or both not`);
      if (cls === 0) {
        backgroundPatches++;
        continue;
      }
      objectPatches++;
      // The centre pixel of a labelled patch is not the background's colour.
      const cell = size / grid;
      const [cx, cy] = [Math.floor(((p % grid) + 0.5) * cell), Math.floor((Math.floor(p / grid) + 0.5) * cell)];
      const k = (cy * size + cx) * 3;
      const corner = [data[0], data[1], data[2]];
      const off = Math.abs(data[k] - corner[0]) + Math.abs(data[k + 1] - corner[1]) + Math.abs(data[k + 2] - corner[2]);
      assert.ok(
        off > 0,
        `patch ${p} labelled ${OBJECT_CLASSES[cls - 1].name}/${COLOURS[colour - 1].name} shows the background`,
      );
    }
  }
  assert.ok(
    objectPatches > 100 && backgroundPatches > objectPatches,
    `${objectPatches} object, ${backgroundPatches} background`,
  );
});

test('patch scenes repeat from the stream and refuse a grid the image does not split into', () => {
  const a = patchScene(Rng.for(1, 'x'), 32, 4);
  const b = patchScene(Rng.for(1, 'x'), 32, 4);
  assert.deepEqual([a.rgb, a.classes, a.colours], [b.rgb, b.classes, b.colours]);
  assert.throws(() => patchScene(Rng.for(1, 'x'), 64, 6), /does not split into a 6 × 6 grid/);
});
