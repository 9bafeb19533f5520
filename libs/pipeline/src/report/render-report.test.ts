import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunResults } from '../results/results.js';
import { escapeHtml } from './html.js';
import { renderReport } from './render-report.js';
import { fabricateRun, fabricateSet } from './testing/fabricate.js';

const RUN_CHARTS = [
  'accuracy-heatmap',
  'judge-heatmap',
  'task-curves',
  'radar',
  'accuracy-vs-judge',
  'stage-time',
  'stage-memory',
];

const charts = (html: string): string[] => [...html.matchAll(/<svg [^>]*data-chart="([^"]+)"/g)].map((m) => m[1]);

describe('renderReport', () => {
  it('one run: every chart, titled, and the metrics table; no NaN, no undefined', () => {
    const html = renderReport([fabricateRun('lora', 1)]);
    assert.deepEqual(charts(html), RUN_CHARTS);
    for (const svg of html.match(/<svg [\s\S]*?<\/svg>/g) ?? []) assert.match(svg, /^<svg [^>]*><title>[^<]+<\/title>/);
    assert.match(html, /General Knowledge \(judge: rubric\)/);
    assert.doesNotMatch(html, /NaN|undefined|Infinity/);
    assert.match(html, /<th title="BWT: [^"]+">BWT<\/th><td class="num">-\d+\.\d\d<\/td>/);
  });

  it('loads nothing: no script, no external address, a policy that forbids fetching', () => {
    const html = renderReport(fabricateSet());
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|url\(|@import/i);
    const addresses = [...html.matchAll(/https?:\/\/[^\s"'<>]+/g)].map((m) => m[0]);
    assert.deepEqual([...new Set(addresses)], ['http://www.w3.org/2000/svg'], 'only the SVG namespace');
    assert.match(
      html,
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">/,
    );
  });

  it('escapes every label from the user’s files', () => {
    const evil = '<script>alert("x")</script>&';
    const base = fabricateRun('lora', 1);
    const run: RunResults = {
      ...base,
      label: evil,
      run_id: `"><img src=x onerror=alert(1)>`,
      tasks: base.tasks.map((t, i) => (i === 2 ? `${t}<b onmouseover='x'>` : t)),
      stages: base.stages.map((s, j) => (j === 2 ? { ...s, name: `${s.name}<b onmouseover='x'>` } : s)),
      judge: { ...base.judge, backend: '</title><script>', label: 'q&a' },
      environment: { ...base.environment, cpu: '<i>cpu</i>' },
      spec: { note: '</pre><script>alert(2)</script>' },
    };
    const html = renderReport([run, fabricateRun('lora', 2)]);
    for (const raw of [evil, '<img', '<b ', '<script', '<i>']) assert.ok(!html.includes(raw), `raw ${raw}`);
    assert.ok(html.includes('&lt;/pre&gt;&lt;script&gt;alert(2)'));
    assert.ok(html.includes(escapeHtml(evil)));
    assert.ok(html.includes('ImageNet&lt;b onmouseover=&#39;x&#39;&gt;'));
    assert.equal(escapeHtml(`a&b<c>"d"'e'`), 'a&amp;b&lt;c&gt;&quot;d&quot;&#39;e&#39;');
  });

  it('several runs: the methods table aggregates seeds, the headroom table flags what the base knows', () => {
    const html = renderReport(fabricateSet());
    assert.deepEqual(
      charts(html).filter((c) => !RUN_CHARTS.includes(c)),
      ['methods'],
    );
    assert.equal(charts(html).filter((c) => c === 'accuracy-heatmap').length, 6);
    const table = /<table class="comparison">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
    const rows = [...table.matchAll(/<tr><th>([^<]+)<\/th><td>([^<]+)<\/td>/g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(rows, [
      ['LoRA', '1, 2'],
      ['multitask', '1, 2'],
      ['zeroshot', '1, 2'],
    ]);
    assert.match(table, /<td class="num" title="n=2, std [\d.]+, 95% interval [\d.]+ to [\d.]+">[\d.]+ ± [\d.]+<\/td>/);
    const flagged = [...html.matchAll(/<tr class="flagged"><th>([^<]+)<\/th>/g)].map((m) => m[1]);
    assert.deepEqual(flagged, ['VizWiz']);
    assert.match(html, /the base already knows this task/);
    assert.doesNotMatch(html, /NaN|undefined|Infinity/);
  });

  it('runs that differ in more than the seed are separate rows, told apart by what differs', () => {
    const a = fabricateRun('lora', 1);
    const b = { ...fabricateRun('lora', 2), spec: { ...fabricateRun('lora', 2).spec, variant: 'diverse' } };
    const html = renderReport([a, b]);
    assert.match(html, /<tr><th>LoRA \(variant=&quot;original&quot;\)<\/th><td>1<\/td>/);
    assert.match(html, /<tr><th>LoRA \(variant=&quot;diverse&quot;\)<\/th><td>2<\/td>/);
  });

  it('draws a run without judge scores, with missing cells and a multitask run, as n/a', () => {
    const base = fabricateRun('lora', 1);
    const noJudge: RunResults = { ...base, judge: { ...base.judge, matrix: [] } };
    const html = renderReport([noJudge, fabricateRun('multitask', 1)]);
    assert.match(html, /not evaluated in this run/);
    assert.match(html, /no cell has both scores/);
    assert.match(html, />n\/a<\/text>/);
    assert.doesNotMatch(html, /NaN|undefined|Infinity/);
  });
});
