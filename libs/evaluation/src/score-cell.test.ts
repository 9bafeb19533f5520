import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { COIN_TASKS, DEFAULT_SYNTH_OPTIONS, prepareSynth, type TestRecord } from '@coin/data';
import { writeMergeFile } from './answer-records.js';
import { scoreCell } from './score-cell.js';
import { readTestItems } from './test-items.js';

const truth = (r: TestRecord) => r.answer_bbox ?? r.answer ?? '';

test('an oracle merge.jsonl scores 100 in both fidelities on every task; answers moved one item along do not', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'coin-score-cell-'));
  try {
    const data = join(dir, 'world');
    await prepareSynth(data, { ...DEFAULT_SYNTH_OPTIONS, seed: 2, train: 2, test: 12, pretrain: 0, imageSize: 32 });
    for (const task of COIN_TASKS) {
      const items = await readTestItems(data, 'original', task);
      const answers = items.map(truth);
      assert.ok(
        answers.every((a) => a !== ''),
        `${task}: every test item has its answer`,
      );
      const file = join(dir, `${task}.jsonl`);
      const write = (texts: readonly string[]) =>
        writeMergeFile(
          file,
          items.map((record, i) => ({ record, text: texts[i], answerId: `a${i}` })),
          'oracle',
        );
      await write(answers);
      assert.deepEqual(scoreCell(data, 'original', task, file), { coin: 100, strict: 100 }, task);
      await write([...answers.slice(1), answers[0]]);
      const shifted = scoreCell(data, 'original', task, file);
      assert.ok(
        shifted.coin < 100 && shifted.strict < 100,
        `${task}: shifted answers score ${JSON.stringify(shifted)}`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
