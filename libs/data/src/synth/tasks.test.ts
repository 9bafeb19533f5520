import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { COIN_TASKS } from '../formats/records.js';
import { parseBoxString } from '../formats/validate.js';
import { ANSWER_PATTERNS } from './answer-formats.js';
import { generateItem } from './generate.js';
import { VIZWIZ_UNANSWERABLE_RATE } from './tasks/vizwiz.js';

test('every task answers in its CoIN format, in both splits', () => {
  for (const task of COIN_TASKS) {
    for (const split of ['train', 'test'] as const) {
      for (let i = 0; i < 80; i++) {
        const item = generateItem(task, 11, split, i, 64);
        assert.match(item.answer, ANSWER_PATTERNS[task], `${task}/${split}/${i}: ${item.prompt}`);
        assert.ok(item.prompt.length > 0);
      }
    }
  }
});

test('the answer formats conflict across tasks, as in CoIN', () => {
  // One class word fits ImageNet's capitalised style but not VQAv2's lower case, and vice versa.
  assert.match('Cat', ANSWER_PATTERNS.ImageNet);
  assert.doesNotMatch('Cat', ANSWER_PATTERNS.VQAv2);
  assert.doesNotMatch('cat', ANSWER_PATTERNS.ImageNet);
  assert.doesNotMatch('cat', ANSWER_PATTERNS.ScienceQA);
  assert.doesNotMatch('cat', ANSWER_PATTERNS.Grounding);
});

test('VizWiz: about a quarter of the photos are unanswerable', () => {
  let n = 0;
  const total = 400;
  for (let i = 0; i < total; i++) if (generateItem('VizWiz', 5, 'train', i, 64).answer === 'unanswerable') n++;
  const rate = n / total;
  assert.ok(Math.abs(rate - VIZWIZ_UNANSWERABLE_RATE) < 0.07, `unanswerable fraction ${rate}`);
});

test('ScienceQA: text-only items have no image; image items do; options are A–E lines', () => {
  let textOnly = 0;
  for (let i = 0; i < 200; i++) {
    const item = generateItem('ScienceQA', 2, 'test', i, 64);
    assert.equal(item.imagePath === undefined, item.renderImage === undefined);
    if (item.imagePath === undefined) textOnly++;
    else assert.equal(item.imagePath, `ScienceQA/test/${item.id}/image.png`);
    assert.equal(typeof item.id, 'string');
    const options = item.prompt.split('\n').filter((l) => /^[A-E]\. /.test(l));
    assert.ok(options.length >= 2 && options.length <= 5, item.prompt);
    assert.ok('ABCDE'.slice(0, options.length).includes(item.answer));
    const official = item.official as { choices: string[]; answer: number; image: string | null };
    assert.equal('ABCDE'[official.answer], item.answer);
    assert.equal(official.image === null, item.imagePath === undefined);
  }
  assert.ok(textOnly > 40 && textOnly < 120, `text-only ${textOnly} of 200`);
});

test('Grounding: the box in the answer is where the object is drawn in the (non-square) image', async () => {
  let nonSquare = 0;
  for (let i = 0; i < 40; i++) {
    const item = generateItem('Grounding', 9, 'test', i, 96);
    const [w, h] = item.size!;
    if (w !== h) nonSquare++;
    const box = parseBoxString(item.answer)!;
    for (const v of box) assert.ok(v >= 0 && v <= 1);
    // Undo the padded-square normalisation.
    const side = Math.max(w, h);
    const dx = h > w ? (h - w) / 2 : 0;
    const dy = w > h ? (w - h) / 2 : 0;
    const [x1, y1, x2, y2] = [box[0] * side - dx, box[1] * side - dy, box[2] * side - dx, box[3] * side - dy];
    assert.ok(
      x1 >= -0.5 && y1 >= -0.5 && x2 <= w + 0.5 && y2 <= h + 0.5,
      `box outside the image: ${item.answer} ${w}x${h}`,
    );
    const { data, info } = await sharp(item.renderImage!()).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [w, h]);
    // Background = the corner pixel's colour (objects never touch the corner: they keep a 1px margin).
    const bg = [data[0], data[1], data[2]];
    // Ink inside the box grown by 1px must reach the box's four sides (±1.5px with 2-decimal rounding).
    let [ix0, iy0, ix1, iy1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (let y = Math.max(0, Math.floor(y1) - 1); y < Math.min(h, Math.ceil(y2) + 1); y++) {
      for (let x = Math.max(0, Math.floor(x1) - 1); x < Math.min(w, Math.ceil(x2) + 1); x++) {
        const p = (y * w + x) * 3;
        if (Math.abs(data[p] - bg[0]) + Math.abs(data[p + 1] - bg[1]) + Math.abs(data[p + 2] - bg[2]) > 30) {
          [ix0, iy0, ix1, iy1] = [Math.min(ix0, x), Math.min(iy0, y), Math.max(ix1, x + 1), Math.max(iy1, y + 1)];
        }
      }
    }
    const tol = 0.005 * side + 1.5;
    for (const [a, b] of [
      [ix0, x1],
      [iy0, y1],
      [ix1, x2],
      [iy1, y2],
    ])
      assert.ok(
        Math.abs(a - b) <= tol,
        `${item.id} "${item.prompt}": ink [${ix0},${iy0},${ix1},${iy1}] vs box [${x1},${y1},${x2},${y2}]`,
      );
  }
  assert.ok(nonSquare > 10, 'most Grounding images should not be square');
});

test('TextVQA official entries carry 10 answers, most equal to the answer', () => {
  for (let i = 0; i < 30; i++) {
    const item = generateItem('TextVQA', 4, 'test', i, 64);
    const official = item.official as { answers: string[]; question_id: number };
    assert.equal(official.answers.length, 10);
    assert.equal(official.question_id, item.id);
    assert.ok(official.answers.filter((a) => a === item.answer).length >= 3);
  }
});

test('VizWiz: an unanswerable colour question is asked only of a photo that shows no object', async () => {
  let checked = 0;
  for (let i = 0; i < 300 && checked < 8; i++) {
    const item = generateItem('VizWiz', 8, 'test', i, 48);
    if (item.answer !== 'unanswerable' || !/color/.test(item.prompt)) continue;
    checked++;
    const { data } = await sharp(item.renderImage!()).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    let spread = 0;
    for (let p = 0; p < data.length; p += 3)
      spread = Math.max(
        spread,
        Math.abs(data[p] - data[0]) + Math.abs(data[p + 1] - data[1]) + Math.abs(data[p + 2] - data[2]),
      );
    assert.ok(spread < 10, `${item.id}: colour question on a photo with content (spread ${spread})`);
  }
  assert.ok(checked >= 3, `only ${checked} unanswerable colour questions in 300 items`);
});
