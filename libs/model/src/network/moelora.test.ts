import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { GraphBuilder, serializeModel, tensor, type TensorData } from '@coin/onnx';
import { createSession } from '@coin/runtime';
import { adapterConfig } from './adapters.js';
import { linear } from './linear.js';
import { Rng } from '@coin/core';
import { WeightSource } from './weights.js';

// docs/protocol.md#moelora written out directly: y_t = W0·x_t + Σ_e softmax(W_g·x_t)_e · (α/r) · B_e·A_e·x_t.
test('MoELoRA in the graph equals the spec formula expert by expert', async () => {
  const [IN, OUT, R, E, T] = [6, 5, 8, 4, 3];
  const re = R / E;
  const rng = new Rng(1);
  const rand = (dims: number[]): TensorData =>
    tensor(
      'float32',
      dims,
      Array.from({ length: dims.reduce((a, b) => a * b) }, () => rng.next() - 0.5),
    );
  const w = new Map<string, TensorData>([
    ['m.weight', rand([IN, OUT])], // [in, out]
    ['m.lora_A', rand([IN, R])], // experts side by side: columns e·r_e … (e+1)·r_e
    ['m.lora_B', rand([R, OUT])], // experts stacked: rows e·r_e … (e+1)·r_e
    ['m.lora_router', rand([IN, E])],
  ]);
  const adapter = adapterConfig({ kind: 'moelora', rank: R, alpha: 16, experts: E, targets: ['q'] });
  const b = new GraphBuilder('moe');
  const x = b.input('x', 'float32', [1, T, IN]);
  b.output(linear({ b, w: new WeightSource(b, w), adapter }, x, 'm', 'q'), 'y');
  const session = await createSession(serializeModel(b.model()), { threads: 1 });
  const xs = rand([1, T, IN]);
  const y = (await session.run({ x: xs })).y.data as Float32Array;
  const get = (name: string) => w.get(name)!.data as Float32Array;
  const [W, A, B, G, X] = [
    get('m.weight'),
    get('m.lora_A'),
    get('m.lora_B'),
    get('m.lora_router'),
    xs.data as Float32Array,
  ];
  for (let t = 0; t < T; t++) {
    const xt = (i: number) => X[t * IN + i];
    const logits = Array.from({ length: E }, (_, e) =>
      Array.from({ length: IN }, (_, i) => G[i * E + e] * xt(i)).reduce((p, q) => p + q),
    );
    const z = Math.max(...logits);
    const gates = logits.map((l) => Math.exp(l - z));
    const sum = gates.reduce((p, q) => p + q);
    for (let o = 0; o < OUT; o++) {
      let want = 0;
      for (let i = 0; i < IN; i++) want += W[i * OUT + o] * xt(i);
      for (let e = 0; e < E; e++) {
        let expert = 0;
        for (let k = 0; k < re; k++) {
          let ax = 0;
          for (let i = 0; i < IN; i++) ax += A[i * R + e * re + k] * xt(i);
          expert += B[(e * re + k) * OUT + o] * ax;
        }
        want += (gates[e] / sum) * (16 / R) * expert;
      }
      assert.ok(Math.abs(y[t * OUT + o] - want) < 1e-5, `y[${t}, ${o}] = ${y[t * OUT + o]}, spec ${want}`);
    }
  }
  await session.release();
});
