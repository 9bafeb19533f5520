import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { attr, GraphBuilder, serializeModel } from '@coin/onnx';
import { createSession } from '@coin/runtime';
import { gradients } from '../backward.js';

test('the embedding gradient sums the rows of repeated ids exactly, in order, on every run with 2 threads', async () => {
  // Many rows land on few ids: ORT's ScatterND(reduction=add) lost some of them on 2 threads.
  const V = 16,
    C = 256,
    N = 4096;
  const b = new GraphBuilder('g');
  const table = b.input('table', 'float32', [V, C]);
  const ids = b.input('ids', 'int64', [2, N / 2]);
  const upstream = b.input('upstream', 'float32', [2, N / 2, C]);
  const loss = b.op('ReduceSum', [b.op('Mul', [b.op('Gather', [table, ids]), upstream])], { keepdims: attr.int(0) });
  b.output(gradients(b, loss, [table]).get('table')!, 'd_table');
  const session = await createSession(serializeModel(b.model()), { threads: 2 });
  const idData = BigInt64Array.from({ length: N }, (_, i) => BigInt((i * 7) % V));
  const up = Float32Array.from({ length: N * C }, (_, i) => Math.sin(i) * 0.5);
  // Row by row, as ScatterElements adds them: float32 sums in the order of the ids.
  const expected = new Float32Array(V * C);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      expected[Number(idData[n]) * C + c] = Math.fround(expected[Number(idData[n]) * C + c] + up[n * C + c]);
  for (let run = 0; run < 10; run++) {
    const out = await session.run({
      table: { dtype: 'float32', dims: [V, C], data: new Float32Array(V * C) },
      ids: { dtype: 'int64', dims: [2, N / 2], data: idData },
      upstream: { dtype: 'float32', dims: [2, N / 2, C], data: up },
    });
    assert.deepEqual(out.d_table.data, expected, `run ${run}`);
  }
  await session.release();
});
