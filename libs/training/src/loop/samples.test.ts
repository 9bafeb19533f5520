import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { imageTokens } from '@coin/model';
import { type MicroWorld, microWorld } from '../testing/micro-world.js';
import { prepareSamples, readTaskSamples } from './samples.js';

describe('prepareSamples', () => {
  let world: MicroWorld;
  before(async () => {
    world = await microWorld(['ScienceQA']);
  });
  after(() => world.cleanup());

  it('cuts a sample longer than maxSeq to fit, image whole, and counts it', async () => {
    const samples = await readTaskSamples(world.data, 'original', 'ScienceQA');
    const n = imageTokens(world.base.config.vision);
    const full = prepareSamples(samples, world.base.tokenizer, world.base.config, 10_000);
    assert.equal(full.truncated, 0);
    const longest = Math.max(...full.prepared.map((p) => p.length));
    const limit = longest - 5;
    const cut = prepareSamples(samples, world.base.tokenizer, world.base.config, limit);
    assert.equal(cut.truncated, full.prepared.filter((p) => p.length > limit).length);
    assert.ok(cut.truncated > 0);
    cut.prepared.forEach((p, i) => {
      assert.ok(p.length <= limit);
      const image = full.prepared[i].inputIds.includes(-200);
      if (image) assert.ok(p.inputIds.includes(-200), 'the image is kept whole');
      assert.equal(p.length, p.inputIds.length + (image ? n - 1 : 0));
      assert.deepEqual(p.inputIds, full.prepared[i].inputIds.slice(0, p.inputIds.length));
    });
  });
});
