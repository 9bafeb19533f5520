import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { attr, GraphBuilder, loadModel, ModelProto, parseModel, saveModel, serializeModel, tensor } from '../index.js';

function sampleModel() {
  const b = new GraphBuilder('sample');
  const x = b.input('x', 'float32', ['batch', 4]);
  const w = b.initializer(
    'w',
    tensor(
      'float32',
      [4, 3],
      Array.from({ length: 12 }, (_, i) => i / 7 - 0.5),
    ),
  );
  const big = b.initializer(
    'big',
    tensor(
      'float64',
      [300],
      Array.from({ length: 300 }, (_, i) => Math.sin(i)),
    ),
  );
  const ids = b.initializer('ids', tensor('int64', [2], [3, -1]));
  const y = b.op('MatMul', [x, w]);
  const s = b.op('ReduceSum', [y, b.i64([1])], { keepdims: attr.int(0) });
  b.output(s, 'sum');
  b.output(b.op('Gather', [big, ids]), 'picked');
  return b.model({ metadata: { purpose: 'test' } });
}

test('a model survives serialise → parse with every tensor bit-exact', () => {
  const m = sampleModel();
  const back = parseModel(serializeModel(m));
  assert.equal(back.opset, 18);
  assert.deepEqual(back.metadata, { purpose: 'test' });
  assert.deepEqual(back.graph.inputs, m.graph.inputs);
  assert.deepEqual(
    back.graph.outputs.map((v) => v.name),
    ['sum', 'picked'],
  );
  for (const [name, t] of m.graph.initializers) assert.deepEqual(back.graph.initializers.get(name), t, name);
  assert.deepEqual(
    back.graph.nodes.map((n) => n.opType),
    m.graph.nodes.map((n) => n.opType),
  );
  assert.deepEqual(back.graph.nodes[1].attributes, { keepdims: { kind: 'int', value: 0 } });
});

test('nodes of other domains, in subgraphs too, get their opset imported once and keep their domain', () => {
  const b = new GraphBuilder('domains');
  const x = b.input('x', 'float32', [2]);
  const fused = (g: GraphBuilder, v: typeof x) =>
    g.op(
      'QuickGelu',
      [v],
      { alpha: attr.float(1) },
      { domain: 'com.microsoft', types: [{ dtype: 'float32', shape: [2] }] },
    );
  const body = new GraphBuilder('then', b);
  body.output(fused(body, x), 'then_out');
  const cond = b.op('Equal', [b.scalar('int64', 1), b.scalar('int64', 1)]);
  const [y] = b.opN(
    'If',
    [cond],
    1,
    { then_branch: attr.graph(body.build()), else_branch: attr.graph(new GraphBuilder('else', b).build()) },
    { types: [{ dtype: 'float32', shape: [2] }] },
  );
  b.output(fused(b, y), 'y');
  const proto = ModelProto.decode(serializeModel(b.model()));
  assert.deepEqual(
    proto.opsetImport.map((o) => [o.domain ?? '', Number(o.version)]),
    [
      ['', 18],
      ['com.microsoft', 1],
    ],
  );
  const back = parseModel(serializeModel(b.model()));
  assert.deepEqual(
    back.graph.nodes.map((n) => [n.opType, n.domain]),
    [
      ['Equal', ''],
      ['If', ''],
      ['QuickGelu', 'com.microsoft'],
      ['Identity', ''],
    ],
  );
  const then = back.graph.nodes[1].attributes.then_branch;
  assert.ok(then.kind === 'graph' && then.value.nodes[0].domain === 'com.microsoft');
  assert.deepEqual(
    ModelProto.decode(serializeModel(sampleModel())).opsetImport.map((o) => o.domain ?? ''),
    [''],
  );
});

test('saveModel puts large tensors in an aligned external data file and loadModel reads them back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coin-onnx-'));
  const path = join(dir, 'm.onnx');
  const m = sampleModel();
  saveModel(m, path, { externalDataThresholdBytes: 1024 });
  assert.equal(statSync(join(dir, 'm.onnx.data')).size, 2400, 'only the 2400-byte float64 tensor goes external');
  const back = loadModel(path);
  assert.deepEqual(back.graph.initializers.get('big'), m.graph.initializers.get('big'));
  // A truncated data file is refused, not read as zeros.
  writeFileSync(join(dir, 'm.onnx.data'), readFileSync(join(dir, 'm.onnx.data')).subarray(0, 100));
  assert.throws(() => loadModel(path), /ends before offset/);
});

test('loadModel names the file when it is missing or not ONNX', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coin-onnx-'));
  assert.throws(() => loadModel(join(dir, 'none.onnx')), /cannot read ONNX model/);
  writeFileSync(join(dir, 'junk.onnx'), 'not a model at all');
  assert.throws(() => loadModel(join(dir, 'junk.onnx')), /junk\.onnx/);
});
