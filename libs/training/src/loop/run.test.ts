import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { METHODS } from '../methods/registry.js';
import { type MicroWorld, microWorld } from '../testing/micro-world.js';
import { runContinual, type ContinualRunOptions } from './run.js';
import { trainingDefaults } from './training-defaults.js';

const TASKS = ['ImageNet', 'VQAv2'];

describe('runContinual', () => {
  let world: MicroWorld;
  before(async () => {
    world = await microWorld(TASKS);
  });
  after(() => world.cleanup());

  const options = (method: string, out: string, extra: Partial<ContinualRunOptions> = {}): ContinualRunOptions => ({
    method: METHODS.get(method),
    hyper: METHODS.resolve(method, 'micro', {}),
    training: { ...trainingDefaults('micro'), epochs: 3, batchSize: 4 },
    preset: 'micro',
    fidelity: 'coin',
    seed: 1,
    tasks: TASKS,
    dataDir: world.data,
    base: world.base,
    out: join(world.dir, out),
    session: { threads: 1 },
    ...extra,
  });

  it('lora: the loss falls in each stage', async () => {
    const t0 = performance.now();
    const records = await runContinual(options('lora', 'lora'));
    console.log(
      records.map((r) => [r.plan.name, r.steps, r.losses.map((l) => l.toFixed(3)).join(' ')]),
      performance.now() - t0,
    );
    for (const r of records) assert.ok(r.losses.at(-1)! < r.losses[0], `${r.plan.name}: ${r.losses.join(', ')}`);
  });
});
