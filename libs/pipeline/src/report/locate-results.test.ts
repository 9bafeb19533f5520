import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CoinError } from '@coin/core';
import { locateResults } from './locate-results.js';

const root = mkdtempSync(join(tmpdir(), 'coin-report-locate-'));
function results(...parts: string[]): string {
  const file = join(root, ...parts, 'results.json');
  mkdirSync(join(root, ...parts), { recursive: true });
  writeFileSync(file, '{}');
  return file;
}

const code = (expected: string) => (e: unknown) => e instanceof CoinError && e.code === expected;

describe('locateResults', () => {
  const direct = results('sweep', 'b-run');
  const inReport = results('sweep', 'a-run', 'report');
  mkdirSync(join(root, 'sweep', 'c-unfinished'));
  const alone = results('alone');

  it('a file, a run folder (results.json or report/results.json), a folder of runs sorted by name', async () => {
    assert.deepEqual(await locateResults([direct]), [direct]);
    assert.deepEqual(await locateResults([join(root, 'sweep', 'a-run')]), [inReport]);
    assert.deepEqual(await locateResults([join(root, 'alone'), join(root, 'sweep')]), [alone, inReport, direct]);
  });

  it('refuses a path that does not exist, a folder without runs, and a run given twice', async () => {
    await assert.rejects(locateResults([join(root, 'nope')]), code('REPORT.NOT_FOUND'));
    await assert.rejects(locateResults([join(root, 'sweep', 'c-unfinished')]), code('REPORT.NO_RESULTS'));
    await assert.rejects(locateResults([join(root, 'sweep'), direct]), (e: unknown) => {
      assert.ok(code('REPORT.DUPLICATE_RUN')(e));
      assert.match((e as Error).message, /b-run\/results\.json is given twice/);
      return true;
    });
  });
});
