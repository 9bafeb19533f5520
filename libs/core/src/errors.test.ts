import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { CoinError, EXIT_FAILURE, EXIT_USAGE, exitCodeFor, invalidArgument } from './errors.js';

test('CoinError carries a stable code, a kind and a hint', () => {
  const e = invalidArgument('DATASET.NOT_FOUND', 'no dataset "gqa"', 'run `coin prep synth` first');
  assert.equal(e.code, 'DATASET.NOT_FOUND');
  assert.equal(e.describe(), 'no dataset "gqa"\n  hint: run `coin prep synth` first');
  assert.equal(exitCodeFor(e), EXIT_USAGE);
  assert.equal(exitCodeFor(new CoinError('RUN.FAILED', 'INTERNAL', 'x')), EXIT_FAILURE);
  assert.equal(exitCodeFor(new CoinError('METRICS.WRITE_FAILED', 'UNAVAILABLE', 'disk full')), EXIT_FAILURE);
  assert.equal(exitCodeFor(new Error('plain')), EXIT_FAILURE);
});

test('CoinError rejects codes that are not AREA.WHAT', () => {
  assert.throws(() => new CoinError('bad code', 'INTERNAL', 'x'), /AREA\.WHAT/);
});
