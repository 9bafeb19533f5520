import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoinError } from '@coin/core';
import { type ContinualMethod, MethodRegistry, methodFlagError } from './method.js';

type Hyper = { readonly lambda: number };

const toy: ContinualMethod<Hyper> = {
  name: 'toy',
  summary: 'a method for registry tests',
  evaluation: 'merged',
  flags: [
    {
      name: 'toy-lambda',
      key: 'lambda',
      help: 'penalty weight',
      parse: (raw) => {
        const x = Number(raw);
        if (!(x >= 0)) throw methodFlagError('toy', 'toy-lambda', `must be a number ≥ 0, got ${raw}`);
        return x;
      },
    },
  ],
  defaults: (preset) => ({ lambda: preset === 'micro' ? 1 : 10 }),
  validate: (h) => {
    if (h.lambda > 100) throw methodFlagError('toy', 'toy-lambda', 'at most 100');
  },
  prepareStage: () => {
    throw new Error('not called');
  },
};

const code = (code: string) => (e: unknown) => e instanceof CoinError && e.code === code;

describe('MethodRegistry', () => {
  const registry = new MethodRegistry([toy as never]);

  it('refuses a duplicate name', () => {
    assert.throws(() => new MethodRegistry([toy as never, toy as never]), /registered twice/);
  });

  it('resolves per-preset defaults and applies flags over them', () => {
    assert.deepEqual(registry.resolve('toy', 'micro', {}), { lambda: 1 });
    assert.deepEqual(registry.resolve('toy', 'tiny', {}), { lambda: 10 });
    assert.deepEqual(registry.resolve('toy', 'tiny', { 'toy-lambda': '2.5' }), { lambda: 2.5 });
  });

  it('refuses unknown methods, unknown flags, bad values and failed validation', () => {
    assert.throws(() => registry.get('nope'), code('METHOD.UNKNOWN'));
    assert.throws(() => registry.resolve('toy', 'micro', { 'ewc-lambda': '1' }), code('METHOD.BAD_FLAG'));
    assert.throws(() => registry.resolve('toy', 'micro', { 'toy-lambda': 'x' }), code('METHOD.BAD_FLAG'));
    assert.throws(() => registry.resolve('toy', 'micro', { 'toy-lambda': '1000' }), code('METHOD.BAD_FLAG'));
  });
});
