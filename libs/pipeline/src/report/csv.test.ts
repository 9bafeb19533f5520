import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { comparisonCsv, metricsCsv, RESULTS_CSV_COLUMNS, resultsCsv } from './csv.js';
import { groupRuns } from './group-runs.js';
import { fabricateRun, fabricateSet } from './testing/fabricate.js';

/** A minimal RFC 4180 reader: quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let k = 0; k < text.length; k += 1) {
    const c = text[k];
    if (quoted && c === '"' && text[k + 1] === '"') {
      field += '"';
      k += 1;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (quoted || (c !== ',' && c !== '\n')) {
      field += c;
    } else {
      row.push(field);
      field = '';
      if (c === '\n') {
        rows.push(row);
        row = [];
      }
    }
  }
  assert.equal(field + row.join(''), '', 'the file ends with a line break');
  return rows;
}

describe('results.csv', () => {
  it('one row per evaluated cell: 36 for a lower-triangular 8-task run, 8 for one joint stage', () => {
    const [header, ...rows] = parseCsv(resultsCsv(fabricateRun('lora', 1)));
    assert.deepEqual(header, [...RESULTS_CSV_COLUMNS]);
    assert.equal(rows.length, 36);
    assert.deepEqual(rows[2].slice(1, 6), ['lora', '1', '2', 'TextVQA', 'TextVQA']);
    assert.equal(parseCsv(resultsCsv(fabricateRun('multitask', 1))).length - 1, 8);
  });

  it('a missing score is an empty field; stage 0 is the zero-shot row', () => {
    const run = fabricateRun('lora', 1);
    const withZero = { ...run, accuracy: { ...run.accuracy, zero_shot: [40, null, 1, 2, 3, 4, 5, 6] } };
    const rows = parseCsv(resultsCsv(withZero)).slice(1);
    assert.equal(rows.length, 44);
    assert.deepEqual(rows[1].slice(3, 9), ['0', 'zero-shot', 'TextVQA', '', '', '']);
    const sqaAfterTextVqa = rows.find((r) => r[3] === '2' && r[5] === 'ScienceQA');
    assert.equal(sqaAfterTextVqa?.[6], '', 'the published matrix has no ScienceQA score after stage 2');
    assert.equal(Number(sqaAfterTextVqa?.[8]), run.judge.matrix[1][0], 'the judge did score it');
  });

  it('quotes what would break a field (labels come from user files)', () => {
    const run = { ...fabricateRun('lora', 1), run_id: 'a,b "quoted"\nnext', method: 'plain' };
    const rows = parseCsv(resultsCsv([run, fabricateRun('zeroshot', 2)])).slice(1);
    assert.equal(rows[0][0], 'a,b "quoted"\nnext');
    assert.equal(rows.length, 72);
  });

  it('full precision, and the same number back', () => {
    const run = fabricateRun('lora', 4);
    const rows = parseCsv(resultsCsv(run)).slice(1);
    assert.equal(Number(rows[0][6]), run.accuracy.matrix[0][0]);
  });
});

describe('metrics.csv and comparison.csv', () => {
  it('metrics per run and matrix; comparison per method with the 95% interval over seeds', () => {
    const runs = fabricateSet();
    const metrics = parseCsv(metricsCsv(runs));
    assert.equal(metrics.length, 1 + runs.length * 2);
    const comparison = parseCsv(comparisonCsv(groupRuns(runs)));
    assert.deepEqual(comparison[0], [
      'label',
      'method',
      'runs',
      'seeds',
      'matrix',
      'metric',
      'n',
      'mean',
      'std',
      'ci95_low',
      'ci95_high',
    ]);
    const loraFinal = comparison.find((r) => r[1] === 'lora' && r[4] === 'accuracy' && r[5] === 'final_average');
    assert.ok(loraFinal);
    assert.deepEqual(loraFinal.slice(2, 4), ['2', '1 2']);
    const [low, mean, high] = [Number(loraFinal[9]), Number(loraFinal[7]), Number(loraFinal[10])];
    assert.ok(low < mean && mean < high);
    const multitaskBwt = comparison.find((r) => r[1] === 'multitask' && r[4] === 'accuracy' && r[5] === 'BWT');
    assert.deepEqual(multitaskBwt?.slice(6), ['0', '', '', '', ''], 'a metric no run has is empty, never NaN');
  });
});
