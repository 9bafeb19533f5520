import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoinError } from '@coin/core';
import { COIN_TASKS, INSTRUCTION_VARIANTS } from '../formats/records.js';
import { parseVariant, renderPrompt, templatesFor } from './instructions.js';
import { resolveTaskOrder } from './task-order.js';
import { keptCount, parseFraction, selectVolume } from './volume.js';

test('Original prompts follow docs/file-formats.md#test-records / docs/protocol.md#original-templates exactly', () => {
  assert.equal(
    renderPrompt('ImageNet', 'original', 'What is the object in the image?', 'x.JPEG'),
    'What is the object in the image?\nAnswer the question using a single word or phrase.',
  );
  assert.equal(
    renderPrompt('ScienceQA', 'original', 'Which?\nA. a\nB. b', '1'),
    "Which?\nA. a\nB. b\nAnswer with the option's letter from the given choices directly.",
  );
  assert.equal(
    renderPrompt('Grounding', 'original', 'left zebra', 'r'),
    'Please provide the bounding box coordinate of the region this sentence describes: left zebra.',
  );
  assert.equal(
    renderPrompt('Grounding', 'original', 'man in red. ', 'r'),
    'Please provide the bounding box coordinate of the region this sentence describes: man in red.',
  );
});

test('Diverse ImageNet prompt is the verified one', () => {
  assert.equal(
    renderPrompt('ImageNet', 'diverse', 'What is the object in the image?', 1),
    'What is the object in the image?\nExpress your answer in a single word or a short, descriptive phrase.',
  );
});

for (const task of COIN_TASKS) {
  test(`${task}: variants have 1/1/10 distinct templates whose last line is the instruction`, () => {
    for (const variant of INSTRUCTION_VARIANTS) {
      const templates = templatesFor(task, variant);
      assert.equal(templates.length, variant === '10type' ? 10 : 1);
      const rendered = templates.map((t) => t('QUESTION'));
      assert.equal(new Set(rendered).size, rendered.length);
      for (const text of rendered) {
        if (task === 'Grounding') assert.match(text, /QUESTION\.$/);
        else assert.ok(text.startsWith('QUESTION\n') && text.split('\n').length === 2, text);
      }
    }
    assert.notEqual(templatesFor(task, 'original')[0]('q'), templatesFor(task, 'diverse')[0]('q'));
  });
}

test('10Type picks a phrasing per item id, deterministically, using all ten', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const a = renderPrompt('GQA', '10type', 'q', i, 7);
    assert.equal(a, renderPrompt('GQA', '10type', 'q', i, 7));
    seen.add(a);
  }
  assert.equal(seen.size, 10);
});

test('parseVariant is case-insensitive and rejects unknown names', () => {
  assert.equal(parseVariant('Diverse'), 'diverse');
  assert.equal(parseVariant('10Type'), '10type');
  assert.throws(
    () => parseVariant('type2'),
    (e: unknown) => e instanceof CoinError && e.kind === 'INVALID_ARGUMENT',
  );
});

test('volume selection keeps exactly round(f·N), deterministic and nested', () => {
  const ids = Array.from({ length: 1000 }, (_, i) => `q${i}`);
  const pick = (f: number, seed = 1) => ids.filter(selectVolume(ids, f, seed));
  for (const f of [0.1, 0.2, 0.4, 0.6, 0.8, 1]) assert.equal(pick(f).length, Math.round(1000 * f));
  assert.deepEqual(pick(0.4), pick(0.4));
  const small = new Set(pick(0.1));
  assert.ok(pick(0.2).filter((id) => small.has(id)).length === small.size);
  assert.notDeepEqual(pick(0.1, 1), pick(0.1, 2));
  // order independence
  const reversed = [...ids].reverse();
  assert.deepEqual(
    reversed.filter(selectVolume(reversed, 0.3, 5)).sort(),
    ids.filter(selectVolume(ids, 0.3, 5)).sort(),
  );
  assert.equal(keptCount(3, 0.1), 1);
  assert.equal(keptCount(0, 0.5), 0);
});

for (const bad of ['0', '-0.1', '1.5', 'abc', 'NaN']) {
  test(`fraction ${bad} is rejected`, () =>
    assert.throws(
      () => parseFraction(bad),
      (e: unknown) => e instanceof CoinError && e.code === 'PREP.BAD_FRACTION',
    ));
}

test('task orders: named, listed, validated', () => {
  assert.deepEqual(resolveTaskOrder('default'), [...COIN_TASKS]);
  assert.deepEqual(resolveTaskOrder('Alphabetical'), [
    'GQA',
    'ImageNet',
    'OCRVQA',
    'Grounding',
    'ScienceQA',
    'TextVQA',
    'VizWiz',
    'VQAv2',
  ]);
  assert.deepEqual(resolveTaskOrder('vqav2, OCR-VQA,RefCOCO'), ['VQAv2', 'OCRVQA', 'Grounding']);
  assert.throws(() => resolveTaskOrder('GQA,Foo'), /unknown task "Foo"/);
  assert.throws(() => resolveTaskOrder(['GQA', 'gqa']), /appears twice/);
  assert.throws(() => resolveTaskOrder(' , '), /empty/);
});
