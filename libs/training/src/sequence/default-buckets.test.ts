import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { ByteLevelBpeTokenizer, PRESETS, withVocabAndSeq } from '@coin/model';
import { PRESET_NAMES } from '../pretrain/pretrain-defaults.js';
import { smallWorld } from '../pretrain/testing-world.js';
import { trainWorldTokenizer } from '../pretrain/world-tokenizer.js';
import { bucketFor, DEFAULT_BUCKETS } from './default-buckets.js';
import { measureTaskLengths } from './sequence-lengths.js';

test("each preset's longest bucket is its maxSeq, and every synth task's samples fit it (nothing truncated)", async () => {
  const world = await smallWorld({ train: 24, test: 4, pretrain: 2 });
  try {
    for (const preset of PRESET_NAMES) {
      const longest = Math.max(...DEFAULT_BUCKETS[preset].map((b) => b.seq));
      assert.equal(longest, PRESETS[preset].decoder.maxSeq, preset);
      const tokenizer = new ByteLevelBpeTokenizer(await trainWorldTokenizer(world.data, PRESETS[preset].decoder.vocab));
      const lengths = await measureTaskLengths(
        world.data,
        tokenizer,
        withVocabAndSeq(PRESETS[preset], tokenizer.vocabSize),
      );
      assert.equal(lengths.length, 8);
      for (const t of lengths) {
        assert.ok(t.train.count > 0 && t.evalPrompt.count > 0, `${preset} ${t.task}`);
        assert.ok(t.train.max <= longest, `${preset} ${t.task}: ${t.train.max} > ${longest}`);
        // Image tasks are longer than the N image positions alone.
        if (t.task !== 'ScienceQA') assert.ok(t.train.max > 16, `${preset} ${t.task}`);
      }
    }
  } finally {
    await rm(world.root, { recursive: true, force: true });
  }
});

test('bucketFor picks the shortest bucket that holds a length, the longest for anything longer', () => {
  const buckets = DEFAULT_BUCKETS.tiny;
  assert.deepEqual(bucketFor(100, buckets), { batch: 16, seq: 128 });
  assert.deepEqual(bucketFor(128, buckets), { batch: 16, seq: 128 });
  assert.deepEqual(bucketFor(129, buckets), { batch: 16, seq: 160 });
  assert.deepEqual(bucketFor(500, buckets), { batch: 8, seq: 192 });
  assert.throws(() => bucketFor(1, []), /at least one/);
});
