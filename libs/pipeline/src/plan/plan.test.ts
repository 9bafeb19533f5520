import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planFor } from '../run/execute-run.js';
import { METHOD_CATALOGUE } from '../spec/method-catalogue.js';
import { resolveRunSpec, type RunSpecInput } from '../spec/run-spec.js';

function plan(input: RunSpecInput) {
  return planFor(resolveRunSpec({ preset: 'micro', ...input }, METHOD_CATALOGUE));
}

test('CoIN’s schedule: 8 stages and the 36 cells i ≤ j, each with a judge cell', async () => {
  const p = await plan({});
  assert.equal(p.stages.length, 8);
  assert.deepEqual(
    p.evals.map((cells) => cells.length),
    [1, 2, 3, 4, 5, 6, 7, 8],
  );
  assert.equal(p.judges.length, 36);
  assert.equal(p.zeroShot.length, 0);
  const keys = [p.world, p.base, ...p.stages, ...p.evals.flat(), ...p.judges].map((u) => u.key);
  assert.equal(new Set(keys).size, keys.length, 'every unit has its own key');
  for (const u of p.stages) assert.equal(u.prefix, `stages/${u.key}`);
});

test('the full matrix adds i > j and the base model’s row', async () => {
  const p = await plan({ fullMatrix: true, order: 'ImageNet,GQA,VQAv2' });
  assert.deepEqual(
    p.evals.map((cells) => cells.length),
    [3, 3, 3],
  );
  assert.equal(p.zeroShot.length, 3);
  assert.equal(p.judges.length, 12);
});

test('keys are deterministic, and runs that share a prefix share its units', async () => {
  const a = await plan({ order: 'ImageNet,GQA,VQAv2' });
  assert.deepEqual(
    (await plan({ order: 'ImageNet,GQA,VQAv2' })).stages.map((s) => s.key),
    a.stages.map((s) => s.key),
  );
  const b = await plan({ order: 'ImageNet,GQA,OCRVQA' });
  assert.equal(b.base.key, a.base.key, 'same base');
  assert.equal(b.world.key, a.world.key, 'same world');
  assert.deepEqual(
    b.stages.slice(0, 2).map((s) => s.key),
    a.stages.slice(0, 2).map((s) => s.key),
    'the first two stages are the same units',
  );
  assert.notEqual(b.stages[2].key, a.stages[2].key);
  assert.equal(b.evals[1][0].key, a.evals[1][0].key, 'and so are their evaluation cells');
  // Another seed, method parameter or fidelity trains other stages on the same base.
  for (const other of [{ seed: 1 }, { methodFlags: { 'lora-rank': '2' } }, { fidelity: 'strict' }]) {
    const c = await plan({ order: 'ImageNet,GQA,VQAv2', ...other });
    assert.equal(c.base.key, a.base.key, JSON.stringify(other));
    assert.notEqual(c.stages[0].key, a.stages[0].key, JSON.stringify(other));
  }
  // Another variant is another world for the run, and the base still comes from the original one.
  const d = await plan({ order: 'ImageNet,GQA,VQAv2', variant: 'diverse' });
  assert.notEqual(d.world.key, a.world.key);
  assert.equal(d.pretrainWorld?.key, a.world.key);
  assert.equal(d.base.key, a.base.key);
});

test('a method with one joint stage fills the row of its last task', async () => {
  const p = await plan({ method: 'multitask', order: 'ImageNet,GQA,VQAv2' });
  assert.equal(p.stages.length, 1);
  assert.equal(p.stages[0].row, 2);
  assert.equal(p.evals[0].length, 3);
});

test('a changed judge is new judge cells on the same evaluations', async () => {
  const a = await plan({ order: 'ImageNet,GQA' });
  const b = await plan({
    order: 'ImageNet,GQA',
    judge: { backend: 'openai', url: 'http://127.0.0.1:1/v1', model: 'm' },
  });
  assert.deepEqual(
    b.evals.flat().map((e) => e.key),
    a.evals.flat().map((e) => e.key),
  );
  assert.notEqual(b.judges[0].key, a.judges[0].key);
});

test('a stage that trains nothing is evaluated as the model before it: zeroshot evaluates each task once', async () => {
  const p = await plan({ method: 'zeroshot', order: 'ImageNet,GQA,VQAv2' });
  const keys = p.evals.flat().map((e) => e.key);
  assert.equal(keys.length, 6);
  assert.equal(new Set(keys).size, 3, 'one cell per task');
  const full = await plan({ method: 'zeroshot', order: 'ImageNet,GQA,VQAv2', fullMatrix: true });
  assert.deepEqual(
    full.evals[2].map((e) => e.key),
    full.zeroShot.map((e) => e.key),
    'and those are the base model’s cells',
  );
});
