import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { ReplayMemory } from './replay-memory.js';

const task = (name: string, n: number) => Array.from({ length: n }, (_, i) => `${name}#${i}`);

test('replay: N distinct samples per finished task, the current task whole, counts exact', () => {
  const memory = new ReplayMemory<string>(5, 42);
  memory.remember('A', task('A', 40));
  memory.remember('B', task('B', 3)); // fewer than N: kept whole
  assert.deepEqual(memory.counts(), { A: 5, B: 3 });
  const stage = memory.mix(task('C', 20));
  assert.equal(stage.length, 20 + 5 + 3);
  const from = (t: string) => stage.filter((s) => s.startsWith(`${t}#`));
  assert.equal(new Set(from('A')).size, 5, 'no sample drawn twice');
  assert.deepEqual(from('B').sort(), task('B', 3));
  assert.deepEqual(from('C'), task('C', 20));
});

test('replay: the memory is a pure function of (seed, task, data), whatever came before', () => {
  const one = new ReplayMemory<string>(4, 7);
  one.remember('A', task('A', 50));
  const other = new ReplayMemory<string>(4, 7);
  other.remember('Z', task('Z', 9));
  other.remember('A', task('A', 50));
  assert.deepEqual(
    one.mix([]),
    other.mix([]).filter((s) => s.startsWith('A#')),
  );
  const reseeded = new ReplayMemory<string>(4, 8);
  reseeded.remember('A', task('A', 50));
  assert.notDeepEqual(one.mix([]), reseeded.mix([]), 'another seed draws other samples');
  assert.notDeepEqual(one.mix([]), task('A', 4), 'a draw, not the first N');
});

test('replay: N = 0 keeps nothing; a negative or fractional N and a task remembered twice are refused', () => {
  const none = new ReplayMemory<string>(0, 1);
  none.remember('A', task('A', 10));
  assert.deepEqual(none.mix(['x']), ['x']);
  for (const bad of [-1, 2.5, Number.NaN]) assert.throws(() => new ReplayMemory(bad, 1), { code: 'METHOD.BAD_OPTION' });
  assert.throws(() => none.remember('A', []), { code: 'METHOD.DUPLICATE_TASK' });
});
