import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { attr, GraphBuilder, serializeModel, tensor } from '@coin/onnx';
import { createSession } from '@coin/runtime';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const tool = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'tools/ort-profile.mjs'), ...args], { encoding: 'utf8' });

test('ort-profile summarises a real ORT profile, Loop bodies included', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'coin-ort-profile-'));
  try {
    // A Loop of 5 iterations, each a MatMul and an Add (which ORT fuses into one Gemm): the body's
    // kernels are what gets counted, 5 per run.
    const b = new GraphBuilder('profiled');
    const x = b.input('x', 'float32', [2, 8]);
    const w = b.initializer(
      'w',
      tensor(
        'float32',
        [8, 8],
        Array.from({ length: 64 }, (_, i) => (i % 9 === 0 ? 1 : 0)),
      ),
    );
    const body = new GraphBuilder('body', b);
    body.input('i', 'int64', []);
    const cond = body.input('c', 'bool', []);
    const h = body.input('h', 'float32', [2, 8]);
    body.output(body.op('Identity', [cond]), 'c_out');
    body.output(body.op('Add', [body.op('MatMul', [h, w]), h]), 'h_out');
    const [y] = b.opN(
      'Loop',
      [b.scalar('int64', 5), b.op('Equal', [b.scalar('int64', 1), b.scalar('int64', 1)]), x],
      1,
      { body: attr.graph(body.build()) },
      { types: [{ dtype: 'float32', shape: [2, 8] }] },
    );
    b.output(y, 'y');
    const s = await createSession(serializeModel(b.model()), { profile: true, profileFilePrefix: join(dir, 'p') });
    for (let r = 0; r < 2; r++)
      await s.run({ x: { dtype: 'float32', dims: [2, 8], data: new Float32Array(16).fill(1) } });
    s.endProfiling();
    await s.release();
    const profile = join(dir, readdirSync(dir)[0]);

    const byOp = tool(profile);
    assert.equal(byOp.status, 0, byOp.stderr);
    assert.match(byOp.stdout, /2 run\(s\)/);
    assert.match(byOp.stdout, /\s5\s+[\d.]+\s+Gemm\n/, byOp.stdout);
    assert.doesNotMatch(byOp.stdout, /\sLoop\n/);
    const byShape = tool(profile, '--by', 'shape', '--top', '3');
    assert.equal(byShape.status, 0, byShape.stderr);
    assert.match(byShape.stdout, /Gemm \[\[2,8\]/, byShape.stdout);
    assert.ok(byShape.stdout.trim().split('\n').length <= 2 + 3);

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"not": "a profile"}');
    const refused = tool(bad);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /not an ORT profile/);
    assert.match(tool(profile, '--by', 'node').stderr, /--by must be op or shape/);
    assert.match(tool().stderr, /no profile file given/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
