import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { collect, readAnswerFile } from '@coin/data';
import { answerIds, writeMergeFile } from './answer-records.js';

test('answer ids: 22 characters of shortuuid’s alphabet, the same for a seed, other for another seed, task or model', () => {
  const ids = answerIds(1, 'GQA', '1-GQA', 50);
  assert.ok(ids.every((id) => /^[2-9A-HJ-NP-Za-km-z]{22}$/.test(id)));
  assert.equal(new Set(ids).size, 50);
  assert.deepEqual(answerIds(1, 'GQA', '1-GQA', 50), ids);
  for (const other of [
    answerIds(2, 'GQA', '1-GQA', 50),
    answerIds(1, 'VQAv2', '1-GQA', 50),
    answerIds(1, 'GQA', '2-VQAv2', 50),
  ])
    assert.ok(other.every((id, i) => id !== ids[i]));
});

test("merge.jsonl lines as CoIN's runners write them (Python's json.dumps), readable by the answer reader", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'coin-merge-'));
  try {
    const path = join(dir, 'merge.jsonl');
    await writeMergeFile(
      path,
      [
        { record: { question_id: 7, image: 'a.png', text: 'What?\nAnswer.' }, text: 'Ünï "x"', answerId: 'abc' },
        { record: { question_id: 'q-8', text: 'Why?' }, text: '', answerId: 'def' },
      ],
      '3-ImageNet',
    );
    assert.equal(
      await readFile(path, 'utf8'),
      '{"question_id": 7, "prompt": "What?\\nAnswer.", "text": "\\u00dcn\\u00ef \\"x\\"", "answer_id": "abc", "model_id": "3-ImageNet", "metadata": {}}\n' +
        '{"question_id": "q-8", "prompt": "Why?", "text": "", "answer_id": "def", "model_id": "3-ImageNet", "metadata": {}}\n',
    );
    const back = await collect(readAnswerFile(path));
    assert.deepEqual(
      back.map((r) => [r.question_id, r.text]),
      [
        [7, 'Ünï "x"'],
        ['q-8', ''],
      ],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
