import assert from 'node:assert/strict';
import { it } from 'node:test';
import { groupRuns } from './group-runs.js';
import { methodsTableText } from './methods-text.js';
import { fabricateSet } from './testing/fabricate.js';

it('the methods table for a terminal: one aligned line per method, mean ± half-interval, n/a where undefined', () => {
  const lines = methodsTableText(groupRuns(fabricateSet())).trimEnd().split('\n');
  assert.equal(lines.length, 2 + 3);
  assert.match(
    lines[0],
    /^method +seeds +acc MAA +acc BWT +acc final +acc MFT +acc forgetting +judge MAA +judge BWT +judge final$/,
  );
  assert.match(lines[2], /^LoRA +1,2 +\d+\.\d\d ± \d+\.\d\d +-\d+\.\d\d ± \d+\.\d\d /);
  assert.match(lines[3], /^multitask +1,2 +n\/a +n\/a +\d+\.\d\d ± \d+\.\d\d +n\/a/);
  // Right-aligned numbers: every line is as long as the header.
  assert.ok(
    lines.every((l) => l.length === lines[0].length),
    lines.join('\n'),
  );
});
