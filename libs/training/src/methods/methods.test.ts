import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { AdapterConfig } from '@coin/model';
import type { TensorData } from '@coin/onnx';
import { driveMethod, type StageReport } from '../testing/drive-method.js';
import { colourBatch, colourSamples, MICRO, MICRO_BATCH, microBase } from '../testing/micro-vlm.js';
import { LwfTeacher } from './lwf-teacher.js';
import { METHODS } from './registry.js';

// Two micro tasks that share nothing: task 1 names red and green images, task 2 blue and yellow.
const TASKS = [
  [0, 1],
  [2, 3],
];
const run = (method: string, extra: { flags?: Record<string, string>; fidelity?: 'coin' | 'strict' } = {}) =>
  driveMethod({ method, tasks: TASKS, samplesPerTask: 16, steps: 30, lr: 3e-3, ...extra });
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function assertLearns(method: string, stages: readonly StageReport[]): void {
  stages.forEach((s, k) => {
    const [start, end] = [mean(s.losses.slice(0, 5)), mean(s.losses.slice(-5))];
    assert.ok(end < start - 0.1, `${method}, stage ${k + 1}: loss ${start.toFixed(3)} → ${end.toFixed(3)}`);
  });
}

test('replay: stage 2 trains on task 2 and exactly N seeded samples of task 1; the loss falls in each stage', async () => {
  const stages = await run('replay', { flags: { 'replay-per-task': '6' } });
  assertLearns('replay', stages);
  assert.equal(stages[0].samples.length, 16, 'nothing to replay at stage 1');
  const mixed = stages[1].samples;
  const count = (task: string) => mixed.filter((s) => s.task === task).length;
  assert.deepEqual([count('task2'), count('task1')], [16, 6]);
  assert.equal(new Set(mixed.filter((s) => s.task === 'task1').map((s) => s.index)).size, 6, 'distinct samples');
  assert.equal(stages[0].penaltyStart, undefined, 'replay adds no loss term');
  const again = await run('replay', { flags: { 'replay-per-task': '6' } });
  assert.deepEqual(
    again[1].samples.map((s) => s.record.id),
    mixed.map((s) => s.record.id),
    'the memory repeats',
  );
});

for (const fidelity of ['strict', 'coin'] as const) {
  test(`ewc (${fidelity}): no term at stage 1; zero at stage 2's start (θ = θ*), positive once trained`, async () => {
    const stages = await run('ewc', { fidelity });
    assertLearns('ewc', stages);
    assert.equal(stages[0].penaltyStart, undefined);
    assert.equal(stages[1].penaltyStart, 0);
    assert.ok(stages[1].penaltyEnd! > 1e-4, `penalty at the end of stage 2: ${stages[1].penaltyEnd}`);
    const state = stages[1].state as { fisher: Map<string, TensorData>; theta: Map<string, TensorData> };
    const anchored = [...state.theta.keys()];
    assert.ok(anchored.some((n) => n.endsWith('.lora_A')) && anchored.some((n) => n.endsWith('.lora_B')));
    assert.equal(
      anchored.some((n) => n.startsWith('projector.')),
      fidelity === 'strict',
      'the projector is anchored only where it is carried',
    );
    const total = (m: Map<string, TensorData>) =>
      [...m.values()].reduce((a, t) => a + (t.data as Float32Array).reduce((x, y) => x + y, 0), 0);
    const first = stages[0].state as typeof state;
    assert.ok(total(first.fisher) > 0 && total(state.fisher) > total(first.fisher), 'the Fisher sums over stages');
    assertRoundTrip('ewc', state);
  });
}

test('lwf (strict): zero while the student is the previous stage, positive once it moves', async () => {
  const stages = await run('lwf');
  assertLearns('lwf', stages);
  assert.equal(stages[0].penaltyStart, undefined);
  assert.ok(Math.abs(stages[1].penaltyStart!) < 1e-5, `start: ${stages[1].penaltyStart}`);
  assert.ok(stages[1].penaltyEnd! > 1e-3, `end: ${stages[1].penaltyEnd}`);
  assertRoundTrip('lwf', stages[1].state);
});

test('lwf (coin): the teacher keeps its trained projector while the student restarts from the base one', async () => {
  const stages = await run('lwf', { fidelity: 'coin', flags: { 'lwf-alpha': '0.5', 'lwf-temperature': '1' } });
  assert.ok(stages[1].penaltyStart! > 1e-4, `start: ${stages[1].penaltyStart}`);
});

test('olora: a new LoRA on the merged base, penalised toward orthogonality; the checkpoint is the merged model', async () => {
  const stages = await run('olora');
  assertLearns('olora', stages);
  const [one, two] = stages;
  assert.equal(one.penaltyStart, undefined);
  assert.ok(two.penaltyStart! > 0.1, `random A's overlap: ${two.penaltyStart}`);
  assert.ok(two.penaltyEnd! < 0.25 * two.penaltyStart!, `${two.penaltyStart} → ${two.penaltyEnd}`);
  const A = 'layers.1.mlp.up.lora_A';
  assert.notDeepEqual(two.setup.initialWeights.get(A)!.data, one.trained.get(A)!.data, 'a new adapter');
  assert.ok(!two.setup.frozenWeights.has(A), 'the earlier adapter is merged, not kept beside');

  // The stage-2 checkpoint (one LoRA of rank 2r on the original base) gives the trained model's logits.
  const ckpt = two.checkpoint!;
  assert.equal(ckpt.kind, 'adapter');
  if (ckpt.kind !== 'adapter') return;
  const adapter: AdapterConfig = ckpt.adapter;
  assert.equal(adapter.rank, 2 * two.setup.adapter.rank);
  const batch = colourBatch(colourSamples([0, 1, 2, 3], MICRO_BATCH), 9);
  const trained = new LwfTeacher({
    config: MICRO,
    weights: new Map([...two.setup.frozenWeights, ...two.trained]),
    adapter: two.setup.adapter,
  });
  const loaded = new LwfTeacher({ config: MICRO, weights: new Map([...microBase(), ...ckpt.weights]), adapter });
  const [x, y] = [await trained.logits(batch), await loaded.logits(batch)];
  let diff = 0;
  for (let i = 0; i < x.data.length; i++) diff = Math.max(diff, Math.abs(Number(x.data[i]) - Number(y.data[i])));
  assert.ok(diff < 1e-4, `stacked vs merged logits: ${diff}`);
  await Promise.all([trained.release(), loaded.release()]);
  assert.equal((two.state as { adapters: unknown[] }).adapters.length, 2, 'each stage keeps its own adapter');
  assertRoundTrip('olora', two.state);
});

/** A resumed run decodes what the finished stage encoded: the same state. */
function assertRoundTrip(name: string, state: unknown): void {
  const m = METHODS.get(name);
  const decoded = m.decodeState!(m.encodeState!(state), undefined as never);
  assert.deepEqual(decoded, state);
}

test('flags: per-preset defaults, validated values, unknown flags refused', () => {
  assert.equal(METHODS.resolve('replay', 'micro', {}).replayPerTask, 8);
  assert.equal(METHODS.resolve('replay', 'tiny', { 'replay-per-task': '0' }).replayPerTask, 0);
  assert.equal(METHODS.resolve('ewc', 'tiny', { 'ewc-lambda': '2.5e3' }).ewcLambda, 2500);
  assert.deepEqual(
    [METHODS.resolve('lwf', 'small', {}).lwfAlpha, METHODS.resolve('lwf', 'small', {}).lwfTemperature],
    [1, 2],
  );
  assert.equal(METHODS.resolve('olora', 'micro', { 'olora-lambda': '0.1' }).oloraLambda, 0.1);
  for (const r of ['micro', 'tiny', 'small'] as const) {
    const h = METHODS.resolve('olora', r, {});
    assert.ok((h.rank as number) < MICRO.decoder.dim || r !== 'micro', 'rank below the width');
    assert.equal(h.alpha, 2 * (h.rank as number));
  }
  const bad: [string, string, string][] = [
    ['replay', 'replay-per-task', '-1'],
    ['replay', 'replay-per-task', '2.5'],
    ['replay', 'replay-per-task', ''],
    ['ewc', 'ewc-lambda', 'x'],
    ['ewc', 'ewc-lambda', '-3'],
    ['lwf', 'lwf-alpha', 'NaN'],
    ['lwf', 'lwf-temperature', '0'],
    ['olora', 'olora-lambda', 'Infinity'],
    ['ewc', 'lwf-alpha', '1'],
  ];
  for (const [method, flag, value] of bad)
    assert.throws(
      () => METHODS.resolve(method, 'micro', { [flag]: value }),
      { code: 'METHOD.BAD_FLAG' },
      `--${flag} ${value}`,
    );
});
