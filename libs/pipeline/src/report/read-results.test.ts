import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CoinError } from '@coin/core';
import { parseResults, readResults } from './read-results.js';
import { fabricateRun } from './testing/fabricate.js';

const dir = mkdtempSync(join(tmpdir(), 'coin-report-read-'));

const REMOVE = Symbol('remove');

/** A fabricated run as JSON with the field at `path` (`accuracy.matrix[1][1]`) set, or removed. */
function edited(path: string, value: unknown): unknown {
  const run = JSON.parse(JSON.stringify(fabricateRun('lora', 1))) as Record<string, unknown>;
  const keys = path.split(/[.[\]]+/).filter(Boolean);
  let at = run;
  for (const key of keys.slice(0, -1)) at = at[key] as Record<string, unknown>;
  const last = keys[keys.length - 1];
  if (value !== REMOVE) at[last] = value;
  else if (Array.isArray(at)) at.splice(Number(last), 1);
  else delete at[last];
  return run;
}

function refused(value: unknown, field: string, message: RegExp): void {
  assert.throws(
    () => parseResults(value, 'runs/a/results.json'),
    (e: unknown) => {
      assert.ok(e instanceof CoinError, String(e));
      assert.equal(e.code, 'REPORT.BAD_RESULTS');
      assert.equal(e.details.field, field);
      assert.ok(e.message.startsWith(`runs/a/results.json: ${field} `), e.message);
      assert.match(e.message, message);
      return true;
    },
  );
}

describe('parseResults', () => {
  it('gives back a valid results.json as it is', () => {
    for (const kind of ['lora', 'multitask', 'zeroshot'] as const) {
      const run = fabricateRun(kind, 3);
      assert.deepEqual(parseResults(JSON.parse(JSON.stringify(run)), 'r.json'), run);
    }
  });

  it('names the file and the field of what is wrong', () => {
    const cases: [path: string, value: unknown, field: string, message: RegExp][] = [
      ['format', 'coin-matrix', 'format', /must be "coin-results\/1"/],
      ['run_id', REMOVE, 'run_id', /must be a string, got nothing/],
      ['accuracy.matrix[1][1]', 140, 'accuracy.matrix[1][1]', /0 to 100 .*got 140/],
      ['judge.matrix[2][0]', 'high', 'judge.matrix[2][0]', /got "high"/],
      ['accuracy.matrix[3][4]', 1, 'accuracy.matrix[3]', /must have 4 cells, got 5/],
      ['accuracy.matrix[8]', [1], 'accuracy.matrix', /1 to 8 rows .*got 9/],
      ['stages[7]', REMOVE, 'stages', /one entry per row of accuracy.matrix \(8\), got 7/],
      ['stages[2].train_s', -1, 'stages[2].train_s', /≥ 0/],
      ['tasks[3]', 'TextVQA', 'tasks[3]', /"TextVQA" a second time/],
      ['accuracy.fidelity', 'loose', 'accuracy.fidelity', /"coin" or "strict"/],
      ['accuracy.zero_shot', [1, 2], 'accuracy.zero_shot', /8 cells, got 2/],
      ['environment.cpu', REMOVE, 'environment.cpu', /must be a string/],
      ['metrics.judge.BWT', 'n/a', 'metrics.judge.BWT', /finite number/],
      ['units[0].cached', 'no', 'units[0].cached', /true or false/],
      ['seed', 1.5, 'seed', /integer/],
    ];
    for (const [path, value, field, message] of cases) refused(edited(path, value), field, message);
    refused([1, 2], 'the file', /JSON object/);
  });

  it('reads a run whose judge was not run (no rows) and one with the full square matrix', () => {
    const noJudge = edited('judge.matrix', []);
    assert.deepEqual(parseResults(noJudge, 'r.json').judge.matrix, []);
    const lower = fabricateRun('lora', 1).accuracy.matrix;
    const square = edited(
      'accuracy.matrix',
      lower.map((row) => [...row, ...Array(8 - row.length).fill(null)]),
    );
    assert.equal(parseResults(square, 'r.json').accuracy.matrix[0].length, 8);
  });
});

describe('readResults', () => {
  it('a missing file is NOT_FOUND, a broken one BAD_RESULTS, both naming the file', async () => {
    await assert.rejects(readResults(join(dir, 'none.json')), (e: unknown) => {
      assert.ok(e instanceof CoinError);
      assert.equal(e.code, 'REPORT.NOT_READABLE');
      assert.equal(e.kind, 'NOT_FOUND');
      assert.match(e.message, /none\.json \(ENOENT\)/);
      return true;
    });
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"format": "coin-results/1", ');
    await assert.rejects(readResults(broken), (e: unknown) => {
      assert.ok(e instanceof CoinError);
      assert.equal(e.code, 'REPORT.BAD_RESULTS');
      assert.match(e.message, /broken\.json: the file is not valid JSON/);
      return true;
    });
  });
});
