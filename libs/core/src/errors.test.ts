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

test('bad input exits 2: malformed, a named input missing, an output already there; a failure of ours or the disk exits 1', () => {
  for (const kind of ['INVALID_ARGUMENT', 'NOT_FOUND', 'ALREADY_EXISTS'] as const) {
    assert.equal(exitCodeFor(new CoinError('PREP.X', kind, 'x')), EXIT_USAGE, kind);
  }
  for (const kind of ['FAILED_PRECONDITION', 'UNAVAILABLE', 'DATA_LOSS', 'UNIMPLEMENTED', 'INTERNAL'] as const) {
    assert.equal(exitCodeFor(new CoinError('PREP.X', kind, 'x')), EXIT_FAILURE, kind);
  }
});

test('CoinError rejects codes that are not AREA.WHAT', () => {
  assert.throws(() => new CoinError('bad code', 'INTERNAL', 'x'), /AREA\.WHAT/);
});

test('a run cancelled by a signal exits 128 + its number, as shells report it', () => {
  const cancelled = (signal?: string) =>
    new CoinError('CLI.INTERRUPTED', 'CANCELLED', 'stopped', { details: signal ? { signal } : {} });
  assert.equal(exitCodeFor(cancelled('SIGINT')), 130);
  assert.equal(exitCodeFor(cancelled('SIGTERM')), 143);
  assert.equal(exitCodeFor(cancelled()), EXIT_FAILURE);
  assert.equal(exitCodeFor(cancelled('SIGNOPE')), EXIT_FAILURE);
});
