import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planEpoch, stageBuckets } from './batches.js';
import { stageSchedule } from './stage.js';
import { trainingDefaults } from './training-defaults.js';

describe('bucketing', () => {
  const lengths = [10, 70, 33, 12, 90, 41, 17, 64, 25, 80, 9];
  const buckets = [
    { batch: 4, seq: 32 },
    { batch: 2, seq: 96 },
  ];

  it('the preset’s buckets, scaled to the batch size and cut at maxSeq', () => {
    assert.deepEqual(stageBuckets('tiny', 16, 192), [
      { batch: 16, seq: 128 },
      { batch: 16, seq: 160 },
      { batch: 8, seq: 192 },
    ]);
    assert.deepEqual(stageBuckets('tiny', 4, 160), [
      { batch: 4, seq: 128 },
      { batch: 4, seq: 160 },
    ]);
  });

  it('one epoch: every sample once, a fitting shape per step, long steps in more micro-batches', () => {
    const steps = planEpoch({ lengths, buckets, samplesPerStep: 4, seed: 7, label: ['T', 0] });
    assert.equal(steps.length, 3); // 11 samples, 4 per step
    const seen = steps.flatMap((s) => s.micro.flat()).sort((a, b) => a - b);
    assert.deepEqual(
      seen,
      lengths.map((_, i) => i),
    );
    for (const s of steps) {
      const longest = Math.max(...s.micro.flat().map((i) => lengths[i]));
      assert.equal(s.seq, longest <= 32 ? 32 : 96);
      assert.equal(s.batch, s.seq === 32 ? 4 : 2);
      assert.ok(s.micro.every((m) => m.length <= s.batch && m.length > 0));
      // Longest first: the first micro-batch holds the step's longest sample.
      assert.equal(lengths[s.micro[0][0]], longest);
    }
  });

  it('the order is the seed’s: same seed and label repeat, another epoch draws another', () => {
    const plan = (seed: number, epoch: number) =>
      planEpoch({ lengths, buckets, samplesPerStep: 3, seed, label: ['T', epoch] });
    assert.deepEqual(plan(1, 0), plan(1, 0));
    assert.notDeepEqual(plan(1, 0), plan(1, 1));
    assert.notDeepEqual(plan(1, 0), plan(2, 0));
  });
});

describe('stage schedules', () => {
  const training = { ...trainingDefaults('tiny'), lr: 2e-4, projectorLr: 2e-5, warmupRatio: 0.03 };

  it('coin: DeepSpeed WarmupLR, one rate for every group (the projector at the LoRA rate)', () => {
    const s = stageSchedule('coin', training, 100); // warm-up ceil(3) = 3 iterations
    assert.deepEqual(s.rateAt(1), { default: 0, projector: 0 });
    assert.deepEqual(s.rateAt(2), { default: 0, projector: 0 });
    const r3 = s.rateAt(3);
    assert.equal(r3.default, r3.projector);
    assert.ok(Math.abs(r3.default - (2e-4 * Math.log(2)) / Math.log(3)) < 1e-12);
    assert.deepEqual(s.rateAt(50), { default: 2e-4, projector: 2e-4 });
  });

  it('strict: linear warm-up then cosine, the projector from its own peak', () => {
    const s = stageSchedule('strict', training, 100);
    assert.deepEqual(s.rateAt(1), { default: 0, projector: 0 });
    const mid = s.rateAt(4 + 48); // factor ½(1 + cos(π·48/97))
    const f = 0.5 * (1 + Math.cos((Math.PI * 48) / 97));
    assert.ok(Math.abs(mid.default - 2e-4 * f) < 1e-12);
    assert.ok(Math.abs(mid.projector - 2e-5 * f) < 1e-12);
  });
});
