import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  VALIDATION_REPORT_FILE,
  VALIDATION_SUMMARY_FILE,
  ValidationReportBuilder,
  writeValidationReport,
} from './validation-report.js';

test('the report lists counts, dropped records by reason and missing images', async () => {
  const b = new ValidationReportBuilder('VizWiz');
  b.countSource('VizWiz/train', 3);
  b.count('VizWiz/train', 1);
  b.drop({ split: 'VizWiz/train', id: 'a.jpg', reason: 'no answers' });
  b.missingImage({ split: 'VizWiz/train', id: 'b.jpg', image: 'VizWiz/train/b.jpg', lookedFor: '/raw/train/b.jpg' });
  b.note('volume fraction 1');
  const dir = await mkdtemp(join(tmpdir(), 'coin-report-'));
  try {
    const summary = await writeValidationReport(dir, b.toReport());
    assert.equal(await readFile(join(dir, VALIDATION_SUMMARY_FILE), 'utf8'), summary);
    assert.match(summary, /VizWiz\/train: 1 \(3\)/);
    assert.match(summary, /1 × no answers\n {6}VizWiz\/train "a\.jpg"/);
    assert.match(summary, /missing images: 1\n {2}VizWiz\/train "b\.jpg": \/raw\/train\/b\.jpg/);
    const json = JSON.parse(await readFile(join(dir, VALIDATION_REPORT_FILE), 'utf8')) as {
      dropped: unknown[];
      counts: Record<string, number>;
    };
    assert.deepEqual(json.counts, { 'VizWiz/train': 1 });
    assert.equal(json.dropped.length, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
