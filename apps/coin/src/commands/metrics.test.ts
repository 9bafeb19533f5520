import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type CliResult, runCli } from '../testing/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'coin-metrics-'));
let files = 0;
function matrixFile(content: object): string {
  files += 1;
  const file = join(dir, `m${files}.json`);
  writeFileSync(file, JSON.stringify(content));
  return file;
}

function refused(r: CliResult, code: string, message: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^coin: error: /);
  assert.match(r.stderr, message);
  assert.match(r.stderr, new RegExp(`\\n {2}code: ${code.replace('.', '\\.')}\\n$`));
}

describe('coin metrics refuses nonsense', () => {
  it('scores outside 0-100, naming the cell', async () => {
    const high = matrixFile({ tasks: ['x', 'y'], matrix: [[80], [40, 140]] });
    refused(
      await runCli(['metrics', '--matrix', high]),
      'METRICS.BAD_MATRIX',
      /matrix\[1\]\[1\] must be .*0 to 100.*got 140/,
    );
    const low = matrixFile({ tasks: ['x', 'y'], matrix: [[80], [40, 60]], zero_shot: [-1, 10] });
    refused(await runCli(['metrics', '--matrix', low]), 'METRICS.BAD_MATRIX', /zero_shot\[0\] .*got -1/);
  });

  it('duplicate task names, in the file and in --tasks', async () => {
    const twice = matrixFile({ tasks: ['GQA', 'GQA'], matrix: [[80], [40, 60]] });
    refused(await runCli(['metrics', '--matrix', twice]), 'METRICS.BAD_MATRIX', /"GQA" appears twice/);
    const ok = matrixFile({ tasks: ['x', 'y', 'z'], matrix: [[80], [40, 60], [30, 50, 70]] });
    refused(await runCli(['metrics', '--matrix', ok, '--tasks', 'y,y']), 'METRICS.BAD_TASKS', /"y" appears twice/);
  });

  it('aggregating runs whose task lists differ', async () => {
    const a = matrixFile({ tasks: ['x', 'y'], matrix: [[80], [40, 60]] });
    const b = matrixFile({ tasks: ['x', 'z'], matrix: [[70], [50, 70]] });
    const r = await runCli(['metrics', '--matrix', a, b]);
    refused(r, 'METRICS.TASKS_DIFFER', /m\d+\.json has tasks x, z but \S*m\d+\.json has x, y/);
    // The same tasks in another order are what aggregation over task orders is for.
    const reordered = matrixFile({ tasks: ['y', 'x'], matrix: [[70], [50, 70]] });
    const ok = await runCli(['metrics', '--matrix', a, reordered, '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).aggregate.final_average.n, 2);
  });
});

describe('coin metrics refuses the same run twice', () => {
  it('one file given twice would double its weight and narrow the interval', async () => {
    const a = matrixFile({ tasks: ['x', 'y'], matrix: [[80], [40, 60]] });
    const again = join(dir, '.', `${a.slice(dir.length + 1)}`);
    refused(await runCli(['metrics', '--matrix', a, again]), 'METRICS.DUPLICATE_RUN', /m\d+\.json is given twice/);
  });
});

describe('coin metrics names the file it cannot use', () => {
  it('a missing file and a file that is not JSON', async () => {
    const missing = join(dir, 'none.json');
    refused(await runCli(['metrics', '--matrix', missing]), 'METRICS.FILE_NOT_READABLE', /none\.json \(ENOENT\)/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"tasks": [');
    refused(await runCli(['metrics', '--matrix', broken]), 'METRICS.BAD_MATRIX', /broken\.json is not valid JSON/);
  });
});

describe('coin metrics says why FWT is n/a', () => {
  it('without a zero_shot row', async () => {
    const r = await runCli(['metrics', '--matrix', matrixFile({ tasks: ['x', 'y'], matrix: [[80], [40, 60]] })]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\n {2}FWT: n\/a \(needs "zero_shot"/);
  });

  it('for the judge, naming judge_zero_shot', async () => {
    const file = matrixFile({ tasks: ['x', 'y'], matrix: [[80], [40, 60]], judge: [[80], [40, 60]] });
    const r = await runCli(['metrics', '--matrix', file]);
    assert.match(r.stdout, /judge[^\n]*\n(?: {2}.*\n)* {2}FWT: n\/a \(needs "judge_zero_shot"/);
  });

  it('with zero_shot but a lower-triangular matrix', async () => {
    const file = matrixFile({ tasks: ['x', 'y'], matrix: [[80], [40, 60]], zero_shot: [10, 20] });
    const r = await runCli(['metrics', '--matrix', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\n {2}FWT: n\/a \(needs the scores above the diagonal/);
    const json = JSON.parse((await runCli(['metrics', '--matrix', file, '--json'])).stdout);
    assert.equal(json.FWT, null);
    assert.match(json.FWT_unavailable, /above the diagonal/);
  });

  it('and gives it when it can', async () => {
    const file = matrixFile({
      tasks: ['x', 'y'],
      matrix: [
        [80, 30],
        [40, 60],
      ],
      zero_shot: [10, 20],
    });
    const r = await runCli(['metrics', '--matrix', file]);
    assert.match(r.stdout, /\n {2}FWT: 10\.00\n/);
  });
});
