import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMatmulCeilingProbe, matmulModel, measureMatmulCeiling } from './matmul-ceiling.js';
import { createSession } from './session.js';
import { hostTensor } from './tensor.js';

describe('matmul ceiling', () => {
  it('the probe model computes A·B', async () => {
    const s = await createSession(matmulModel(2));
    try {
      const { Y } = await s.run({
        A: hostTensor('float32', [2, 2], new Float32Array([1, 2, 3, 4])),
        B: hostTensor('float32', [2, 2], new Float32Array([5, 6, 7, 8])),
      });
      assert.deepEqual([...(Y.data as Float32Array)], [19, 22, 43, 50]);
    } finally {
      await s.release();
    }
  });

  it('returns the median GFLOP/s from the timed runs', async (t) => {
    const probe = await createMatmulCeilingProbe(256);
    try {
      const timing = await probe.measure(5);
      assert.equal(timing.samplesMs.length, 5);
      const sorted = [...timing.samplesMs].sort((a, b) => a - b);
      assert.equal(timing.medianMs, sorted[2]);
      assert.ok(Math.abs(timing.gflops - (2 * 256 ** 3) / (timing.medianMs / 1000) / 1e9) < 1e-9);
      assert.ok(timing.gflops > 0.1 && timing.gflops < 1e5, String(timing.gflops));
      await assert.rejects(probe.measure(0), /reps must be an integer ≥ 1/);
    } finally {
      await probe.release();
    }
    const gflops = await measureMatmulCeiling(1024, 3);
    t.diagnostic(`ORT 1024³ float32 MatMul: ${gflops.toFixed(1)} GFLOP/s (median of 3, machine shared)`);
    assert.ok(gflops > 1, String(gflops));
  });
});
