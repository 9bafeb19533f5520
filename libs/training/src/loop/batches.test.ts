import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketSeqs, planEpoch } from './batches.js';
import { stageSchedule } from './stage.js';
import { trainingDefaults } from './training-defaults.js';

describe('bucketing', () => {
  const lengths = [10, 70, 33, 12, 90, 41, 17, 64, 25, 80, 9];

  it('a few multiple-of-8 shapes, the last covering the longest sample, none above maxSeq', () => {
    assert.deepEqual(bucketSeqs(lengths, 160), [24, 64, 96]);
    assert.deepEqual(bucketSeqs(lengths, 88), [24, 64, 88]);
  });

  it('one epoch: every sample once, steps of batch × accumulation, one shape per step that fits it', () => {
    const seqs = bucketSeqs(lengths, 160);
    const steps = planEpoch({ lengths, seqs, batchSize: 2, accumulation: 2, seed: 7, label: ['T', 0] });
    assert.equal(steps.length, 3); // 11 samples, 4 per step
    const seen = steps.flatMap((s) => s.micro.flat()).sort((a, b) => a - b);
    assert.deepEqual(
      seen,
      lengths.map((_, i) => i),
    );
    for (const s of steps) {
      for (const m of s.micro) for (const i of m) assert.ok(lengths[i] <= s.seq);
      assert.ok(s.micro.every((m) => m.length <= s.batch));
    }
    // The last step holds 3 samples: two micro-batches, the second one row short (padded by the loop).
    assert.deepEqual(
      steps[2].micro.map((m) => m.length),
      [2, 1],
    );
  });

  it('the order is the seed’s: same seed and label repeat, another epoch draws another', () => {
    const seqs = bucketSeqs(lengths, 160);
    const plan = (seed: number, epoch: number) =>
      planEpoch({ lengths, seqs, batchSize: 3, accumulation: 1, seed, label: ['T', epoch] });
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
    const mid = s.rateAt(4 + 48); // half-way through the cosine: factor ½(1 + cos(π·48/97))
    const f = 0.5 * (1 + Math.cos((Math.PI * 48) / 97));
    assert.ok(Math.abs(mid.default - 2e-4 * f) < 1e-12);
    assert.ok(Math.abs(mid.projector - 2e-5 * f) < 1e-12);
  });
});
