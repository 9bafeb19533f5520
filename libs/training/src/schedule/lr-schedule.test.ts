import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { deepSpeedWarmupLr, warmupCosine } from './lr-schedule.js';

const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, b), `${what}: ${a} vs ${b}`);

test('coin: DeepSpeed WarmupLR, log-shaped over ceil(3 %) of the steps, then constant; one rate for all groups', () => {
  // 200 steps → W = 6: updates 1 and 2 at 0, update k at 2e-4·ln(k − 1)/ln 6 until k = 7, then 2e-4.
  const s = deepSpeedWarmupLr({ totalSteps: 200, warmupRatio: 0.03, peak: { default: 2e-4, projector: 2e-5 } });
  assert.equal(s.warmupSteps, 6);
  const expected = [0, 0, 2e-4 * (Math.log(2) / Math.log(6)), 2e-4 * (Math.log(3) / Math.log(6))];
  expected.forEach((e, i) => close(s.rateAt(i + 1).default, e, `step ${i + 1}`));
  close(s.rateAt(7).default, 2e-4, 'step 7: iteration 5 = W − 1, ln 6 / ln 6');
  close(s.rateAt(8).default, 2e-4, 'step 8 (constant)');
  close(s.rateAt(200).default, 2e-4, 'last step: no decay');
  assert.equal(s.rateAt(50).projector, s.rateAt(50).default, 'the projector trains at the LoRA rate');
});

test('coin: a warm-up of one step still spans two iterations (DeepSpeed clamps to 2)', () => {
  const s = deepSpeedWarmupLr({ totalSteps: 10, warmupRatio: 0.03, peak: { default: 1 } });
  assert.equal(s.warmupSteps, 1);
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((k) => s.rateAt(k).default),
    [0, 0, 1, 1, 1],
  );
});

test('strict: linear warm-up then cosine to zero, each group from its own peak', () => {
  // 100 steps → W = 3: update k at (k − 1)/3 for k ≤ 3, then ½(1 + cos(π (k − 4)/97)).
  const s = warmupCosine({ totalSteps: 100, warmupRatio: 0.03, peak: { default: 2e-4, projector: 2e-5 } });
  assert.equal(s.warmupSteps, 3);
  close(s.rateAt(1).default, 0, 'step 1');
  close(s.rateAt(2).default, 2e-4 / 3, 'step 2');
  close(s.rateAt(3).projector, (2e-5 * 2) / 3, 'step 3 projector');
  close(s.rateAt(4).default, 2e-4, 'step 4: peak');
  close(s.rateAt(52).default, 2e-4 * 0.5 * (1 + Math.cos((Math.PI * 48) / 97)), 'step 52');
  close(s.rateAt(100).projector, 2e-5 * 0.5 * (1 + Math.cos((Math.PI * 96) / 97)), 'last step');
});

test('bad schedules and steps are refused with the reason', () => {
  assert.throws(() => deepSpeedWarmupLr({ totalSteps: 0, warmupRatio: 0.03, peak: { default: 1 } }), /at least one/);
  assert.throws(() => warmupCosine({ totalSteps: 5, warmupRatio: 1, peak: { default: 1 } }), /\[0, 1\)/);
  assert.throws(() => warmupCosine({ totalSteps: 5, warmupRatio: 0, peak: { projector: 1 } }), /`default` group/);
  assert.throws(() => warmupCosine({ totalSteps: 5, warmupRatio: 0, peak: { default: -1 } }), /≥ 0/);
  const s = warmupCosine({ totalSteps: 5, warmupRatio: 0, peak: { default: 1 } });
  assert.throws(() => s.rateAt(0), /outside 1\.\.5/);
  assert.throws(() => s.rateAt(6), /outside 1\.\.5/);
});
