import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoinError } from '@coin/core';
import { COIN_TASKS } from '@coin/data';
import { METHOD_CATALOGUE } from './method-catalogue.js';
import { methodLabel } from '../run/assemble.js';
import { resolveRunSpec, runId } from './run-spec.js';

const catalogue = METHOD_CATALOGUE;

test('defaults: tiny, lora, CoIN’s order, original instructions, seed 0, coin fidelity, rubric judge', () => {
  const spec = resolveRunSpec({}, catalogue);
  assert.equal(spec.preset, 'tiny');
  assert.equal(spec.method, 'lora');
  assert.deepEqual(spec.tasks, COIN_TASKS);
  assert.equal(spec.variant, 'original');
  assert.equal(spec.fidelity, 'coin');
  assert.deepEqual(spec.judge, { backend: 'rubric' });
  assert.deepEqual(spec.world, { train: 800, test: 50, pretrain: 200 });
  assert.match(runId(spec), /^lora-tiny-s0-[0-9a-f]{10}$/);
});

test('orders: default, CoIN’s alphabetical (Grounding as RefCOCO), or a list', () => {
  const order = (o: string) => resolveRunSpec({ order: o }, catalogue).tasks;
  assert.deepEqual(order('alphabetical'), [
    'GQA',
    'ImageNet',
    'OCRVQA',
    'Grounding',
    'ScienceQA',
    'TextVQA',
    'VizWiz',
    'VQAv2',
  ]);
  assert.deepEqual(order('GQA, ImageNet'), ['GQA', 'ImageNet']);
});

test('every bad value is a usage error naming the flag and what is allowed', () => {
  const cases: Array<[object, RegExp]> = [
    [{ order: 'GQA,Nope' }, /unknown task "Nope"/],
    [{ order: 'GQA,GQA' }, /appears twice/],
    [{ preset: 'huge' }, /--preset "huge" is not one of micro, tiny, small/],
    [{ method: 'magic' }, /--method "magic" is not one of lora/],
    [{ fraction: 0 }, /--fraction must be in \(0, 1\]/],
    [{ seed: -1 }, /--seed must be a whole number/],
    [{ judge: { backend: 'openai' } }, /needs --judge-url/],
    [{ judge: { backend: 'openai', url: 'nope', model: 'm' } }, /is not a URL/],
    [{ world: { test: 0 } }, /world test must be a whole number/],
  ];
  for (const [input, message] of cases)
    assert.throws(
      () => resolveRunSpec(input, catalogue),
      (e: unknown) => e instanceof CoinError && e.kind === 'INVALID_ARGUMENT' && message.test(e.message),
      JSON.stringify(input),
    );
});

test('a run is labelled by its method and the parameters it sets away from the defaults', () => {
  assert.equal(methodLabel(resolveRunSpec({ method: 'multitask' }, METHOD_CATALOGUE)), 'multitask');
  assert.equal(
    methodLabel(resolveRunSpec({ method: 'moelora', methodFlags: { 'moe-experts': '4' } }, METHOD_CATALOGUE)),
    'moelora experts=4',
  );
});
