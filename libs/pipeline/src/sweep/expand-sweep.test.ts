import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoinError } from '@coin/core';
import { Method, SweepGrid } from '@coin/contracts';
import { runSpecToProto } from '../bus/spec-wire.js';
import { METHOD_CATALOGUE } from '../spec/method-catalogue.js';
import { resolveRunSpec, runId, type RunSpecInput } from '../spec/run-spec.js';
import { expandSweep } from './expand-sweep.js';
import { parseGridFile } from './grid-file.js';
import { sweepBaseToProto } from './sweep-base.js';

const BASE: RunSpecInput = { preset: 'micro', order: 'ImageNet,VQAv2', world: { train: 24 }, pretrainSteps: 40 };
const baseFor = (methods: string[], input: RunSpecInput = BASE) => sweepBaseToProto(input, methods);

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof CoinError, String(e));
    return e.code;
  }
  assert.fail('no error');
}

describe('expandSweep', () => {
  it('expands in grid order (presets outermost, seeds innermost) into the runs coin run would do', () => {
    const grid = parseGridFile('methods: [lora, ewc]\nseeds: [3, 4]\nfractions: [0.5, 1]\npresets: [micro]\n');
    const { specs, runIds, id } = expandSweep(grid, baseFor(['lora', 'ewc']));
    assert.deepEqual(
      specs.map((s) => `${s.preset} ${s.method} ${s.fraction} ${s.seed}`),
      [
        'micro lora 0.5 3',
        'micro lora 0.5 4',
        'micro lora 1 3',
        'micro lora 1 4',
        'micro ewc 0.5 3',
        'micro ewc 0.5 4',
        'micro ewc 1 3',
        'micro ewc 1 4',
      ],
    );
    // The same run as `coin run --preset micro --method ewc --fraction 0.5 --seed 4 …`.
    const single = resolveRunSpec({ ...BASE, method: 'ewc', fraction: 0.5, seed: 4 }, METHOD_CATALOGUE);
    assert.equal(runIds[5], runId(single));
    assert.deepEqual(specs[5], single);
    assert.match(id, /^sweep-lora-ewc-8r-[0-9a-f]{10}$/);
    assert.ok(id.length <= 63);
  });

  it('is deterministic: the same grid and base give the same ids, another seed another sweep', () => {
    const a = expandSweep(parseGridFile('seeds: [0, 1]'), baseFor(['lora']));
    const b = expandSweep(parseGridFile('seeds:\n  - 0\n  - 1\n'), baseFor(['lora']));
    const c = expandSweep(parseGridFile('seeds: [0, 2]'), baseFor(['lora']));
    const d = expandSweep(parseGridFile('seeds: [1, 0]'), baseFor(['lora']));
    assert.equal(a.id, b.id);
    assert.deepEqual(a.runIds, b.runIds);
    assert.notEqual(a.id, c.id);
    assert.equal(a.runIds[0], c.runIds[0], 'a run shared by two sweeps is one run');
    assert.notEqual(a.id, d.id, 'grid order is part of the sweep');
  });

  it('an empty axis keeps the base value; each run keeps only its own method’s flags', () => {
    const input: RunSpecInput = {
      ...BASE,
      methodFlags: { 'lora-rank': '4', 'ewc-lambda': '123' },
      training: { lr: 1e-3 },
    };
    const base = baseFor(['lora', 'ewc'], input);
    const { specs } = expandSweep(SweepGrid.fromPartial({ methods: [Method.METHOD_LORA, Method.METHOD_EWC] }), base);
    assert.deepEqual(
      specs.map((s) => [s.method, s.seed, s.tasks.join(','), s.training.lr, s.world.train]),
      [
        ['lora', 0, 'ImageNet,VQAv2', 1e-3, 24],
        ['ewc', 0, 'ImageNet,VQAv2', 1e-3, 24],
      ],
    );
    assert.deepEqual(
      specs[0],
      resolveRunSpec({ ...input, method: 'lora', methodFlags: { 'lora-rank': '4' } }, METHOD_CATALOGUE),
    );
    assert.deepEqual(
      specs[1],
      resolveRunSpec(
        { ...input, method: 'ewc', methodFlags: { 'lora-rank': '4', 'ewc-lambda': '123' } },
        METHOD_CATALOGUE,
      ),
    );
    // moelora has no lora-rank (its rank is --moe-rank): a lora-only setting does not reach it.
    const moe = expandSweep(
      SweepGrid.fromPartial({ methods: [Method.METHOD_LORA, Method.METHOD_MOELORA] }),
      baseFor(['lora', 'moelora'], {
        ...BASE,
        methodFlags: { 'lora-alpha': '32', 'moe-alpha': '32', 'moe-experts': '2' },
      }),
    ).specs;
    assert.deepEqual(
      moe[1],
      resolveRunSpec(
        { ...BASE, method: 'moelora', methodFlags: { 'moe-alpha': '32', 'moe-experts': '2' } },
        METHOD_CATALOGUE,
      ),
    );
    assert.deepEqual(moe[0], resolveRunSpec({ ...BASE, methodFlags: { 'lora-alpha': '32' } }, METHOD_CATALOGUE));
    // lora-alpha and moe-alpha travel in one field: a sweep of both takes both flags or neither.
    assert.equal(
      codeOf(() => baseFor(['lora', 'moelora'], { ...BASE, methodFlags: { 'lora-alpha': '32' } })),
      'SWEEP.CONFLICTING_SETTINGS',
    );
    assert.equal(
      codeOf(() => baseFor(['lora', 'moelora'], { ...BASE, methodFlags: { 'lora-alpha': '32', 'moe-alpha': '8' } })),
      'SWEEP.CONFLICTING_SETTINGS',
    );
  });

  it('refuses a grid that cannot be: both presets and base models, the same run twice, a setting no method has', () => {
    const base = baseFor(['lora']);
    assert.equal(
      codeOf(() => expandSweep(SweepGrid.fromPartial({ presets: [1], baseModels: ['/m'] }), base)),
      'SWEEP.BAD_GRID',
    );
    assert.equal(
      codeOf(() => expandSweep(SweepGrid.fromPartial({ seeds: [1, 1] }), base)),
      'SWEEP.BAD_GRID',
    );
    const twice = SweepGrid.fromPartial({
      taskOrders: [{ tasks: ['ImageNet', 'VQAv2'] }, { tasks: ['ImageNet', 'VQAv2'] }],
    });
    assert.equal(
      codeOf(() => expandSweep(twice, base)),
      'SWEEP.BAD_GRID',
    );
    const ewcOnly = runSpecToProto(
      resolveRunSpec({ ...BASE, method: 'ewc', methodFlags: { 'ewc-lambda': '9' } }, METHOD_CATALOGUE),
    );
    assert.equal(
      codeOf(() => expandSweep(SweepGrid.fromPartial({ methods: [Method.METHOD_LORA] }), ewcOnly)),
      'SWEEP.UNUSED_SETTING',
    );
    assert.equal(
      codeOf(() => baseFor(['lora'], { ...BASE, methodFlags: { 'ewc-lambda': '9' } })),
      'SWEEP.UNUSED_SETTING',
    );
    assert.equal(
      codeOf(() => expandSweep(SweepGrid.fromPartial({ dataFractions: [2] }), base)),
      'RUN.BAD_FLAG',
    );
  });
});
