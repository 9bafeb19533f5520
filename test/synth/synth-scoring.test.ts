import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COIN_TASKS, TEST_FILE_OF_TASK, VARIANT_FOLDERS, prepareSynth } from '@coin/data';
import { scoreFilesFor } from '@coin/evaluation';
import { scoreTaskFromFiles } from '@coin/metrics';

/**
 * CoIN-Synth's files go through the real CoIN scorers: an oracle that answers every test item with
 * its ground truth scores 100% on every task (strict fidelity), and a shuffled oracle does not.
 * This is what ties the synthetic official files (problems.json, TextVQA's 10 answers, GQA's
 * questions) to what the scorers read.
 */
interface TestItem {
  question_id: string | number;
  text: string;
  answer?: string;
  answer_bbox?: string;
}

async function writePredictions(path: string, items: readonly TestItem[], answers: readonly string[]): Promise<void> {
  const lines = items.map((item, i) =>
    JSON.stringify({
      question_id: item.question_id,
      prompt: item.text,
      text: answers[i],
      answer_id: `a${i}`,
      model_id: 'oracle',
      metadata: {},
    }),
  );
  await writeFile(path, `${lines.join('\n')}\n`);
}

test('CoIN-Synth test files score 100% with oracle answers through the CoIN scorers', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'coin-synth-score-'));
  try {
    const out = join(dir, 'world');
    await prepareSynth(out, {
      seed: 1,
      train: 2,
      test: 24,
      imageSize: 64,
      variant: 'original',
      fraction: 1,
      pretrain: 0,
    });
    for (const task of COIN_TASKS) {
      const items = JSON.parse(
        await readFile(join(out, VARIANT_FOLDERS.original, task, TEST_FILE_OF_TASK[task]), 'utf8'),
      ) as TestItem[];
      const truth = items.map((i) => (task === 'Grounding' ? i.answer_bbox! : i.answer!));
      const resultFile = join(dir, `${task}.jsonl`);
      await writePredictions(resultFile, items, truth);
      const oracle = scoreTaskFromFiles(task, scoreFilesFor(out, 'original', task, resultFile), 'strict');
      assert.equal(oracle.samples, 24, task);
      assert.equal(oracle.accuracy, 100, `${task}: ${oracle.stdout}`);
      // Answers moved one item along: the scorers must notice (a test that could not fail proves nothing).
      await writePredictions(resultFile, items, [...truth.slice(1), truth[0]]);
      const shifted = scoreTaskFromFiles(task, scoreFilesFor(out, 'original', task, resultFile), 'strict');
      assert.ok(shifted.accuracy < 100, `${task}: shifted answers still score ${shifted.accuracy}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
