/**
 * The report in a real browser (Debian's chromium driven by playwright-core): every chart is there
 * and draws marks of non-zero size, the page logs no error and fetches nothing, and no NaN or
 * undefined reaches the text. Leaves a screenshot in tmp/report-screenshot.png to look at.
 * Without chromium the test is skipped on a workstation and fails in CI (CI is set).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { renderReport } from './render-report.js';
import { fabricateSet } from './testing/fabricate.js';

const CHROMIUM = '/usr/bin/chromium';
const root = resolve(fileURLToPath(import.meta.url), '../../../../..');
const EXPECTED = [
  'accuracy-heatmap',
  'judge-heatmap',
  'task-curves',
  'radar',
  'accuracy-vs-judge',
  'stage-time',
  'stage-memory',
  'methods',
];

const absent = !existsSync(CHROMIUM);
const skip =
  absent && !process.env.CI ? `${CHROMIUM} is not installed (apt-get install chromium); CI fails here instead` : false;

test('report.html in chromium: every chart drawn, no console error, no request, no NaN', {
  skip,
  timeout: 60_000,
}, async () => {
  assert.ok(!absent, `${CHROMIUM} is missing: .ci/run installs Debian's chromium for this test`);
  const dir = mkdtempSync(join(tmpdir(), 'coin-report-chromium-'));
  const file = join(dir, 'report.html');
  writeFileSync(file, renderReport(fabricateSet()));
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    const url = pathToFileURL(file).href;
    await page.route('**/*', (route) => {
      if (route.request().url() === url) return route.continue();
      problems.push(`request: ${route.request().url()}`);
      return route.abort();
    });
    await page.goto(url, { waitUntil: 'load' });

    const charts = await page.$$eval('svg[data-chart]', (svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        const marks = [...svg.querySelectorAll('.mark')];
        const drawn = marks.filter((m) => {
          const b = m.getBoundingClientRect();
          return b.width > 0 && b.height > 0;
        });
        return {
          name: svg.getAttribute('data-chart') ?? '',
          title: svg.querySelector(':scope > title')?.textContent ?? '',
          area: box.width * box.height,
          marks: marks.filter((m) => ['rect', 'path', 'circle'].includes(m.tagName)).length,
          drawn: drawn.length,
        };
      }),
    );
    assert.deepEqual([...new Set(charts.map((c) => c.name))].sort(), [...EXPECTED].sort());
    for (const c of charts) {
      assert.ok(c.title.length > 0, `${c.name} has a title`);
      assert.ok(c.area > 0, `${c.name} takes space on the page`);
      assert.ok(
        c.marks > 0 && c.drawn > 0,
        `${c.name} "${c.title}" draws marks (${c.marks}, ${c.drawn} of non-zero size)`,
      );
    }
    // Six runs' heatmaps: 36 cells for LoRA and zero-shot (lower-triangular), 8 for multitask.
    const cells = await page.$$eval('svg[data-chart="accuracy-heatmap"]', (s) =>
      s.map((svg) => svg.querySelectorAll('rect.mark').length),
    );
    assert.deepEqual(cells, [36, 36, 8, 8, 36, 36]);

    const text = await page.innerText('body');
    assert.doesNotMatch(text, /\bNaN\b|\bundefined\b|Infinity/);
    assert.match(text, /the base already knows this task/);
    assert.deepEqual(problems, []);

    mkdirSync(join(root, 'tmp'), { recursive: true });
    await page.screenshot({ path: join(root, 'tmp', 'report-screenshot.png'), fullPage: true });
  } finally {
    await browser.close();
  }
});
