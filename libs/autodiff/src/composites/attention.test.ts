import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { GraphBuilder, serializeModel, type Shape } from '@coin/onnx';
import { createSession } from '@coin/runtime';
import { Rng, uniformValues } from '@coin/core';
import { attention } from './attention.js';

const [B, H, D] = [2, 2, 4];

/** softmax(q·kᵀ/√D) over the keys `seen(t, s)` allows, times v, in float64 on the host. */
function reference(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  T: number,
  S: number,
  seen: (b: number, t: number, s: number) => boolean,
): number[] {
  const out: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const base = b * H + h;
      for (let t = 0; t < T; t++) {
        const scores = Array.from({ length: S }, (_, s) => {
          if (!seen(b, t, s)) return -Infinity;
          let dot = 0;
          for (let d = 0; d < D; d++) dot += q[(base * T + t) * D + d] * k[(base * S + s) * D + d];
          return dot / Math.sqrt(D);
        });
        const top = Math.max(...scores);
        const w = scores.map((x) => Math.exp(x - top));
        const sum = w.reduce((a, x) => a + x, 0);
        for (let d = 0; d < D; d++) out.push(w.reduce((a, x, s) => a + (x / sum) * v[(base * S + s) * D + d], 0));
      }
    }
  }
  return out;
}

async function run(T: number, leading: number, staticShapes: boolean): Promise<{ got: Float32Array; want: number[] }> {
  const S = leading + T;
  const b = new GraphBuilder('leading_keys');
  // Without leading keys, run-time lengths must be the queries' own (one symbol).
  const keys = leading ? 'S' : 'T';
  const dims = (n: number, sym: string): Shape => [B, H, staticShapes ? n : sym, D];
  const [q, k, v] = [
    b.input('q', 'float32', dims(T, 'T')),
    b.input('k', 'float32', dims(S, keys)),
    b.input('v', 'float32', dims(S, keys)),
  ];
  const padding = b.input('pad', 'int64', [B, staticShapes ? S : keys]);
  b.output(attention(b, q, k, v, { causal: true, keyPadding: padding, leadingKeys: leading }), 'y');
  const session = await createSession(serializeModel(b.model()), { threads: 1 });
  const rng = new Rng(7);
  const [qd, kd, vd] = [T, S, S].map((n) => Float32Array.from(uniformValues(rng, B * H * n * D, -1, 1)));
  // Sample 1's last key is padding (no query's row is then all masked).
  const pad = BigInt64Array.from({ length: B * S }, (_, i) => (i === 2 * S - 1 ? 0n : 1n));
  const out = await session.run({
    q: { dtype: 'float32', dims: [B, H, T, D], data: qd },
    k: { dtype: 'float32', dims: [B, H, S, D], data: kd },
    v: { dtype: 'float32', dims: [B, H, S, D], data: vd },
    pad: { dtype: 'int64', dims: [B, S], data: pad },
  });
  await session.release();
  const want = reference(qd, kd, vd, T, S, (bi, t, s) => pad[bi * S + s] === 1n && (s < leading || s - leading <= t));
  return { got: out.y.data as Float32Array, want };
}

test('causal attention with leading keys: every query sees them, then its own keys up to itself', async () => {
  for (const staticShapes of [false, true]) {
    for (const [T, leading] of [
      [3, 2],
      [1, 5],
      [4, 0],
    ] as const) {
      const { got, want } = await run(T, leading, staticShapes);
      assert.equal(got.length, want.length);
      got.forEach((x, i) =>
        assert.ok(
          Math.abs(x - want[i]) < 1e-5,
          `static ${staticShapes}, T ${T}, leading ${leading}: element ${i} ${x} vs ${want[i]}`,
        ),
      );
    }
  }
});

test('leadingKeys that are negative, fractional or disagree with the lengths are refused', () => {
  const b = new GraphBuilder('bad');
  const q = b.input('q', 'float32', [1, 1, 2, 4]);
  const k = b.input('k', 'float32', [1, 1, 5, 4]);
  assert.throws(
    () => attention(b, q, k, k, { causal: true, leadingKeys: 2 }),
    /5 keys for 2 queries need leadingKeys 3, got 2/,
  );
  for (const bad of [-1, 1.5])
    assert.throws(
      () => attention(b, q, k, k, { causal: true, leadingKeys: bad }),
      /leadingKeys must be a whole number ≥ 0/,
    );
  const qt = b.input('qt', 'float32', [1, 1, 'T', 4]);
  assert.throws(
    () => attention(b, qt, qt, qt, { causal: true, leadingKeys: 2 }),
    /2 leading keys, but keys and queries share the length T/,
  );
});
