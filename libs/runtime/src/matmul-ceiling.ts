/**
 * The ORT MatMul ceiling: how many GFLOP/s a plain n×n×n float32 MatMul reaches in ONNX Runtime in
 * this process, with the same session options as training. The training benchmark divides a step's
 * achieved GFLOP/s by it (`ceiling_ratio`), timing the two in alternating rounds because the machine
 * is shared and its speed drifts (150-186 GFLOP/s measured for n = 1024 when quiet).
 *
 * Both operands are graph inputs, like trainable weights (an initializer would be pre-packed by ORT
 * and, with both operands constant, folded away entirely); the output is preallocated so the timing
 * is the kernel, not a 4 MB host copy.
 */
import { CoinError } from '@coin/core';
import { GraphBuilder, serializeModel } from '@coin/onnx';
import { createSession, type RuntimeSession, type SessionOptions } from './session.js';
import { hostTensor, type HostTensor } from './tensor.js';

export interface MatmulTiming {
  /** 2·n³ / median seconds / 1e9. */
  readonly gflops: number;
  readonly medianMs: number;
  readonly samplesMs: readonly number[];
}

export interface MatmulCeilingProbe {
  readonly n: number;
  /** Times `reps` runs (after `warmup` untimed ones, default 1). */
  measure(reps: number, warmup?: number): Promise<MatmulTiming>;
  release(): Promise<void>;
}

export function matmulModel(n: number): Uint8Array {
  const g = new GraphBuilder(`matmul_${n}`);
  const a = g.input('A', 'float32', [n, n]);
  const b = g.input('B', 'float32', [n, n]);
  g.output(g.op('MatMul', [a, b]), 'Y'); // [n, n]
  return serializeModel(g.model());
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new CoinError('RUNTIME.BAD_OPTIONS', 'INVALID_ARGUMENT', `${name} must be an integer ≥ ${min}, got ${value}`);
  }
}

/** A session kept open so the benchmark can measure between its own rounds without rebuilding. */
export async function createMatmulCeilingProbe(n = 1024, options: SessionOptions = {}): Promise<MatmulCeilingProbe> {
  checkCount('n', n, 1);
  const session: RuntimeSession = await createSession(matmulModel(n), options);
  // Values in [-1, 1) so no denormals or overflow skew the timing.
  const fill = (seed: number) =>
    Float32Array.from({ length: n * n }, (_, i) => (((i * 2654435761 + seed) >>> 0) / 2 ** 32) * 2 - 1);
  const feeds: Record<string, HostTensor> = {
    A: hostTensor('float32', [n, n], fill(1)),
    B: hostTensor('float32', [n, n], fill(2)),
  };
  const outputs = { Y: hostTensor('float32', [n, n]) };
  const flop = 2 * n ** 3;
  return {
    n,
    async measure(reps: number, warmup = 1): Promise<MatmulTiming> {
      checkCount('reps', reps, 1);
      checkCount('warmup', warmup, 0);
      for (let i = 0; i < warmup; i++) await session.run(feeds, { outputs });
      const samplesMs: number[] = [];
      for (let i = 0; i < reps; i++) {
        const t0 = performance.now();
        await session.run(feeds, { outputs });
        samplesMs.push(performance.now() - t0);
      }
      const medianMs = median(samplesMs);
      return { gflops: flop / (medianMs / 1000) / 1e9, medianMs, samplesMs };
    },
    release: () => session.release(),
  };
}

/** Median GFLOP/s of an n×n×n float32 MatMul over `reps` timed runs, in a fresh session. */
export async function measureMatmulCeiling(n = 1024, reps = 10, options: SessionOptions = {}): Promise<number> {
  const probe = await createMatmulCeilingProbe(n, options);
  try {
    return (await probe.measure(reps)).gflops;
  } finally {
    await probe.release();
  }
}
