import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../testing/run-cli.js';

const FIXTURES = fileURLToPath(new URL('../../../../libs/metrics/src/fixtures/', import.meta.url));
const fx = (...p: string[]): string => join(FIXTURES, ...p);

describe('coin score', () => {
  it('ScienceQA: prints the original line and writes output.jsonl / output_result.jsonl byte-identical', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coin-score-'));
    const r = await runCli([
      'score',
      'ScienceQA',
      '--base-dir',
      fx('scienceqa'),
      '--result-file',
      fx('scienceqa', 'merge.jsonl'),
      '--output-dir',
      dir,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Total: 32, Correct: 13, Accuracy: 40.62%\n'); // 40.625 exactly: Python rounds half to even
    for (const f of ['output.jsonl', 'output_result.jsonl'])
      assert.equal(readFileSync(join(dir, f), 'utf8'), readFileSync(fx('scienceqa', 'expected', f), 'utf8'));
  });

  it('--json prints one object with the accuracy at full precision', async () => {
    const r = await runCli([
      'score',
      'ScienceQA',
      '--base-dir',
      fx('scienceqa'),
      '--result-file',
      fx('scienceqa', 'merge.jsonl'),
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      task: 'ScienceQA',
      fidelity: 'coin',
      samples: 32,
      correct: 13,
      accuracy: 40.625,
    });
    const tv = await runCli([
      'score',
      'textvqa',
      '--annotation-file',
      fx('textvqa', 'TextVQA_0.5.1_val.json'),
      '--result-file',
      fx('textvqa', 'merge.jsonl'),
      '--json',
    ]);
    assert.equal(JSON.parse(tv.stdout).correct, null);
  });

  it('Grounding: coin and strict differ, Result.text as the original writes it, verdicts per item', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coin-score-'));
    const args = [
      'score',
      'Grounding',
      '--test-file',
      fx('grounding', 'test.json'),
      '--result-file',
      fx('grounding', 'merge.jsonl'),
    ];
    const coin = await runCli([...args, '--output-dir', dir, '--verdicts', join(dir, 'v.jsonl')]);
    assert.equal(coin.stdout, readFileSync(fx('grounding', 'expected', 'stdout'), 'utf8'));
    assert.equal(
      readFileSync(join(dir, 'Result.text'), 'utf8'),
      readFileSync(fx('grounding', 'expected', 'Result.text'), 'utf8'),
    );
    const verdicts = readFileSync(join(dir, 'v.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; score: number });
    assert.equal(verdicts.length, 14);
    assert.equal(verdicts.filter((v) => v.score === 1).length, 6);
    const strict = await runCli([...args, '--fidelity', 'strict', '--json']);
    assert.equal(JSON.parse(strict.stdout).correct, 7);
  });

  it('GQA appends to Result.text like the original (re-runs accumulate)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coin-score-'));
    const args = [
      'score',
      'GQA',
      '--annotation-file',
      fx('gqa', 'cl_dataset/GQA/testdev_balanced_questions.json'),
      '--result-file',
      fx('gqa', 'merge.jsonl'),
      '--output-dir',
      dir,
    ];
    const r = await runCli(args);
    assert.equal(r.stdout, readFileSync(fx('gqa', 'expected', 'stdout'), 'utf8'));
    await runCli(args);
    const once = readFileSync(fx('gqa', 'expected', 'Result.text'), 'utf8');
    assert.equal(readFileSync(join(dir, 'Result.text'), 'utf8'), once + once);
    assert.equal(
      readFileSync(join(dir, 'testdev_balanced_predictions.json'), 'utf8'),
      readFileSync(fx('gqa', 'expected', 'testdev_balanced_predictions.json'), 'utf8'),
    );
  });

  it('bad input: exit 2 with file and line, no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coin-score-'));
    const bad = join(dir, 'merge.jsonl');
    writeFileSync(bad, '{"question_id": "VizWiz_val_00000000.jpg", "text": "x"}\n{oops}\n');
    const r = await runCli(['score', 'VizWiz', '--annotation-file', fx('vizwiz', 'val.json'), '--result-file', bad]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /merge\.jsonl:2: not valid JSON/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    const wrongTask = await runCli([
      'score',
      'VQAv2',
      '--annotation-file',
      fx('vqav2', 'val.json'),
      '--result-file',
      fx('vizwiz', 'merge.jsonl'),
    ]);
    assert.equal(wrongTask.code, 2);
    assert.match(
      wrongTask.stderr,
      /merge\.jsonl:1: question_id VizWiz_val_00000000\.jpg is not in the annotation file[\s\S]*VQAv2 prediction file/,
    );
    const unknown = await runCli(['score', 'MNIST', '--result-file', bad]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown task "MNIST"/);
    const missing = await runCli(['score', 'ImageNet', '--result-file', bad]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /ImageNet needs --test-file/);
    const gone = await runCli(['score', 'ImageNet', '--test-file', join(dir, 'none.json'), '--result-file', bad]);
    assert.equal(gone.code, 2);
    assert.match(gone.stderr, /cannot read the test file .*none\.json \(ENOENT\)/);
  });
});

describe('coin judge', () => {
  it('prompts: writes prompt_to_eval.json byte-identical to create_prompt.py', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coin-judge-'));
    const out = join(dir, 'prompt_to_eval.json');
    const r = await runCli([
      'judge',
      'prompts',
      '--task',
      'Grounding',
      '--test-file',
      fx('grounding', 'test.json'),
      '--result-file',
      fx('grounding', 'merge.jsonl'),
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      readFileSync(out, 'utf8'),
      readFileSync(fx('judge', 'prompts', 'expected', 'prompt_to_eval.grounding.json'), 'utf8'),
    );
  });

  it('score: writes Prompt_Result.text and prints the unparsed texts; --json gives the numbers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coin-judge-'));
    copyFileSync(fx('judge', 'score', 'prompt_eval_merge.jsonl'), join(dir, 'prompt_eval_merge.jsonl'));
    const r = await runCli(['judge', 'score', '--dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(fx('judge', 'score', 'expected', 'stdout'), 'utf8'));
    const expected = readFileSync(fx('judge', 'score', 'expected', 'Prompt_Result.text'), 'utf8');
    assert.equal(readFileSync(join(dir, 'Prompt_Result.text'), 'utf8'), expected);
    const j = await runCli(['judge', 'score', '--dir', dir, '--json']);
    const parsed = JSON.parse(j.stdout) as { score: number; score_full: number; lines: number };
    assert.equal(`Final score:${parsed.score}`, expected);
    assert.equal(parsed.lines, 28);
    assert.equal(Math.round(parsed.score_full), parsed.score);
  });
});

describe('coin metrics', () => {
  it('computes MAA/BWT/final average from matrix.json and aggregates several runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coin-metrics-'));
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    writeFileSync(a, JSON.stringify({ tasks: ['x', 'y'], matrix: [[80], [40, 60]], judge: [[90], [70, 80]] }));
    writeFileSync(b, JSON.stringify({ tasks: ['x', 'y'], matrix: [[70], [50, 70]] }));
    const one = await runCli(['metrics', '--matrix', a, '--json']);
    assert.equal(one.code, 0, one.stderr);
    const m = JSON.parse(one.stdout);
    assert.deepEqual([m.MAA, m.BWT, m.final_average, m.MFT, m.forgetting, m.AA], [65, -40, 50, 70, 40, [80, 50]]);
    assert.equal(m.judge.BWT, -20);
    const text = await runCli(['metrics', '--matrix', a]);
    assert.match(text.stdout, /BWT: -40\.00/);
    const two = await runCli(['metrics', '--matrix', a, b, '--json']);
    const agg = JSON.parse(two.stdout).aggregate;
    assert.equal(agg.final_average.mean, 55);
    assert.equal(agg.final_average.n, 2);
    const bad = await runCli(['metrics', '--matrix', join(dir, 'nope.json')]);
    assert.equal(bad.code, 2);
  });
});
