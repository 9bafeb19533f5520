import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type CliResult, runCli } from '../testing/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'coin-report-cli-'));

/** A small but complete results.json of a 3-task run (lower-triangular, or one joint stage). */
function results(method: string, seed: number, given: (number | null)[][]): object {
  const rows = structuredClone(given);
  const tasks = ['GQA', 'VizWiz', 'TextVQA'];
  const stages = rows.map((_, j) => ({
    stage: j + 1,
    name: rows.length === 1 ? 'multitask' : tasks[j],
    train_s: 12.5,
    eval_s: 3,
    peak_rss_mb: 900,
  }));
  const noMetrics = { MAA: null, BWT: null, final_average: null, MFT: null, MFN: null, forgetting: null };
  return {
    format: 'coin-results/1',
    run_id: `${method}-${seed}`,
    spec: { method, seed, tasks },
    method,
    label: method,
    seed,
    tasks,
    accuracy: { fidelity: 'coin', matrix: rows, other_matrix: structuredClone(rows) },
    judge: {
      backend: 'rubric',
      label: 'rubric',
      matrix: rows.map((r) => r.map((v) => (v === null ? null : Math.min(100, v + 20)))),
      parse_failures: 0,
      refusals: 0,
    },
    metrics: { accuracy: noMetrics, judge: noMetrics },
    environment: {
      node: 'v20',
      ort: '1.30.0',
      execution_provider: 'cpu',
      threads: 2,
      cpu: 'cpu',
      cpus: 2,
      platform: 'linux x64',
      code_version: '0.1.0',
    },
    stages,
    units: [],
    timings: { total_s: 46.5, started_at: '2026-05-04T10:00:00Z', finished_at: '2026-05-04T10:00:46Z' },
  };
}

function runFolder(parent: string, name: string, content: object): string {
  const folder = join(dir, parent, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'results.json'), JSON.stringify(content));
  return folder;
}

function refused(r: CliResult, code: string, message: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^coin: error: /);
  assert.match(r.stderr, message);
  assert.match(r.stderr, new RegExp(`\\n {2}code: ${code.replace('.', '\\.')}\\n$`));
}

const LORA_1 = [[60], [30, 70], [20, 40, 80]];
const LORA_2 = [[62], [28, 72], [24, 38, 78]];

describe('coin report', () => {
  it('one run: the files beside its results.json, the methods table on stdout', async () => {
    const run = runFolder('one', 'lora-1', results('lora', 1, LORA_1));
    const r = await runCli(['report', run]);
    assert.equal(r.code, 0, r.stderr);
    for (const f of ['report.html', 'results.csv', 'metrics.csv']) assert.ok(existsSync(join(run, f)), f);
    assert.equal(existsSync(join(run, 'comparison.csv')), false);
    assert.match(r.stdout, /^method +seeds +acc MAA/);
    // final average (20 + 40 + 80) / 3 = 46.67; BWT ((20 − 60) + (40 − 70)) / 2 = −35.
    assert.match(r.stdout, /\nlora +1 +[\d.]+ +-35\.00 +46\.67 /);
    assert.match(r.stderr, /^wrote .*report\.html, .*results\.csv, .*metrics\.csv \(1 run\)\n$/);
    assert.equal(readFileSync(join(run, 'results.csv'), 'utf8').trim().split('\n').length, 1 + 6);
  });

  it('a folder of runs: seeds aggregated, comparison.csv, --out created', async () => {
    runFolder('sweep', 'lora-1', results('lora', 1, LORA_1));
    runFolder('sweep', 'lora-2', results('lora', 2, LORA_2));
    runFolder('sweep', 'multitask-1', results('multitask', 1, [[70, 75, 85]]));
    const out = join(dir, 'out', 'nested');
    const r = await runCli(['report', join(dir, 'sweep'), '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    for (const f of ['report.html', 'results.csv', 'metrics.csv', 'comparison.csv'])
      assert.ok(existsSync(join(out, f)), f);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[2], /^lora +1,2 +[\d.]+ ± [\d.]+ /);
    assert.match(lines[3], /^multitask +1 +n\/a +n\/a +76\.67 /);
    assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /<svg [^>]*data-chart="methods"/);
  });

  it('refuses a bad results.json, naming the file and the field', async () => {
    const bad = results('lora', 1, LORA_1) as { accuracy: { matrix: unknown[][] } };
    bad.accuracy.matrix[2][1] = 'forty';
    const run = runFolder('bad', 'lora-1', bad);
    refused(
      await runCli(['report', run]),
      'REPORT.BAD_RESULTS',
      /lora-1\/results\.json: accuracy\.matrix\[2\]\[1\] must be a score/,
    );
  });

  it('refuses the same run twice, and a folder without runs', async () => {
    const a = runFolder('twice', 'a', results('lora', 1, LORA_1));
    const b = runFolder('twice', 'b', results('lora', 1, LORA_1));
    refused(await runCli(['report', a, b]), 'REPORT.DUPLICATE_RUN', /hold the same run lora-1/);
    mkdirSync(join(dir, 'empty'));
    refused(await runCli(['report', join(dir, 'empty')]), 'REPORT.NO_RESULTS', /holds no results\.json/);
  });
});

describe('coin metrics reads results.json', () => {
  it('its accuracy and judge matrices', async () => {
    const run = runFolder('metrics', 'lora-1', results('lora', 1, LORA_1));
    const r = await runCli(['metrics', '--matrix', join(run, 'results.json'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.BWT, -35);
    assert.equal(out.judge.final_average, (40 + 60 + 100) / 3);
  });

  it('a multitask run has no stage per task: refused with what to use instead', async () => {
    const run = runFolder('metrics', 'multitask-1', results('multitask', 1, [[70, 75, 85]]));
    refused(
      await runCli(['metrics', '--matrix', join(run, 'results.json')]),
      'METRICS.NOT_CONTINUAL',
      /1 stage\(s\) for 3 tasks[\s\S]*coin report/,
    );
  });

  it('a results.json of another format is named as such', async () => {
    const run = runFolder('metrics', 'future', { ...results('lora', 1, LORA_1), format: 'coin-results/2' });
    refused(
      await runCli(['metrics', '--matrix', join(run, 'results.json')]),
      'REPORT.BAD_RESULTS',
      /format must be "coin-results\/1"/,
    );
  });
});
