import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathExists } from '@coin/core';
import { collect, readTestFile } from '@coin/data';
import { type AdapterSpec, buildEvalPrompt, imageTokens } from '@coin/model';
import { planBatches } from './eval-batches.js';
import { evaluateTask } from './evaluate-task.js';
import { StageEvaluator } from './stage-evaluator.js';
import { loadStageModel } from './stage-model.js';
import { testFilePath } from './test-items.js';
import { type EvalWorld, evalWorld } from './testing/eval-world.js';
import { trainedAdapter, writeAdapterStage } from './testing/stage-folder.js';

// One world and one batch-4 evaluator for the file: building generators is the slow part.
let world: EvalWorld;
let evaluator: StageEvaluator;
const session = { threads: 1 };
before(async () => {
  world = await evalWorld();
  evaluator = await StageEvaluator.create({ config: world.config, weights: world.weights }, world.tokenizer, {
    batch: 4,
    session,
  });
});
after(async () => {
  await evaluator.release();
  await world.cleanup();
});

const options = (out: string, more: Record<string, unknown> = {}) => ({
  dataDir: world.data,
  seed: 1,
  modelId: '2-TextVQA',
  out: join(world.dir, out),
  ...more,
});
const lines = async (file: string) =>
  (await readFile(file, 'utf8'))
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

test("merge.jsonl: one line per test item, in test-file order, with CoIN's fields; reruns write the same bytes", async () => {
  const items = await collect(readTestFile(testFilePath(world.data, 'original', 'TextVQA'), 'TextVQA'));
  const progress: Array<[number, number]> = [];
  const r = await evaluator.evaluate('TextVQA', { ...options('a'), onBatch: (d, t) => progress.push([d, t]) });
  assert.equal(r.count, 6);
  assert.deepEqual(progress, [
    [4, 6],
    [6, 6],
  ]);
  const got = await lines(r.file);
  assert.equal(got.length, items.length);
  got.forEach((line, i) => {
    assert.deepEqual(Object.keys(line), ['question_id', 'prompt', 'text', 'answer_id', 'model_id', 'metadata']);
    assert.equal(line.question_id, items[i].question_id);
    assert.equal(line.prompt, items[i].text);
    assert.equal(line.model_id, '2-TextVQA');
    assert.deepEqual(line.metadata, {});
  });
  assert.ok(new Set(got.map((l) => l.text)).size > 1, 'a random model answers items differently');
  assert.ok(r.newTokens > 0 && r.decode_s > 0 && r.wall_s >= r.decode_s);
  assert.equal(r.capped, 0, '128 new tokens fit the 512 positions');

  const again = await evaluator.evaluate('TextVQA', options('b'));
  assert.equal(await readFile(again.file, 'utf8'), await readFile(r.file, 'utf8'));
  const otherSeed = await lines((await evaluator.evaluate('TextVQA', options('c', { seed: 2 }))).file);
  assert.deepEqual(
    otherSeed.map((l) => l.text),
    got.map((l) => l.text),
  );
  assert.ok(otherSeed.every((l, i) => l.answer_id !== got[i].answer_id));
});

test("the last batch's filler rows do not leak: the same answers whatever fills the batch", async () => {
  const six = await lines((await evaluator.evaluate('TextVQA', options('a6'))).file);
  // 5 items: the second batch is item 5 and three copies of it; 6: items 5, 6 and two copies of 6.
  const five = await evaluator.evaluate('TextVQA', options('a5', { testLimit: 5 }));
  assert.equal(five.count, 5);
  const fiveLines = await lines(five.file);
  assert.deepEqual(
    fiveLines.map((l) => [l.question_id, l.text]),
    six.slice(0, 5).map((l) => [l.question_id, l.text]),
  );
});

test('ScienceQA: items without an image run text-only, alone or beside image items: same answers at batch 1 and 4', async () => {
  const items = await collect(readTestFile(testFilePath(world.data, 'original', 'ScienceQA'), 'ScienceQA'));
  assert.ok(items.some((i) => i.image === undefined) && items.some((i) => i.image !== undefined));
  // Room for CoIN's 1024 new tokens after every prompt: a cap that depends on the batch's longest
  // prompt would cut answers differently at batch 1 and 4.
  const model = { config: world.withMaxSeq(1024 + 256), weights: world.weights };
  const texts: unknown[][] = [];
  for (const batch of [4, 1]) {
    const r = await evaluateTask({
      model,
      tokenizer: world.tokenizer,
      task: 'ScienceQA',
      batch,
      session,
      ...options(`s${batch}`),
    });
    assert.equal(r.capped, 0);
    texts.push((await lines(r.file)).map((l) => l.text));
  }
  assert.deepEqual(texts[1], texts[0]);
});

test('new tokens capped to the positions left, and counted', async () => {
  const records = await collect(readTestFile(testFilePath(world.data, 'original', 'GQA'), 'GQA'));
  const longest = Math.max(
    ...records.map(
      (r) => buildEvalPrompt(r, 'loader', world.tokenizer).inputIds.length + imageTokens(world.config.vision) - 1,
    ),
  );
  const config = world.withMaxSeq(longest + 5);
  const r = await evaluateTask({
    model: { config, weights: world.weights },
    tokenizer: world.tokenizer,
    task: 'GQA',
    batch: 4,
    session,
    ...options('capped'),
  });
  assert.equal(r.capped, 6);
  const plan = planBatches(records, world.tokenizer, {
    task: 'GQA',
    batch: 4,
    maxSeq: longest + 5,
    imageTokens: imageTokens(config.vision),
  });
  assert.ok(plan.every((b) => b.maxNewTokens <= 128 - 5 && b.maxNewTokens >= 5));
  const room = plan.reduce((n, b) => n + b.real * b.maxNewTokens, 0);
  assert.ok(r.newTokens <= room, `${r.newTokens} new tokens, room for ${room}`);
  assert.ok(r.atLimit > 0, 'a random model runs into the limit');
});

test('an adapter kept unmerged gives the answers of the same adapter merged, and not those of the base', async () => {
  const spec: AdapterSpec = { kind: 'lora', rank: 4, alpha: 8, dropout: 0, targets: ['q', 'v', 'up'], experts: 1 };
  const trained = trainedAdapter(world.config, world.weights, spec, 3);
  const texts: string[][] = [];
  for (const evaluation of ['unmerged', 'merged'] as const) {
    const dir = join(world.dir, `stage-${evaluation}`);
    await mkdir(dir);
    await writeAdapterStage(dir, spec, trained, evaluation);
    const model = await loadStageModel({ config: world.config, weights: world.weights }, dir);
    assert.equal(model.adapter !== undefined, evaluation === 'unmerged');
    const r = await evaluateTask({
      model,
      tokenizer: world.tokenizer,
      task: 'TextVQA',
      batch: 4,
      session,
      ...options(`lora-${evaluation}`),
    });
    texts.push((await lines(r.file)).map((l) => String(l.text)));
  }
  assert.deepEqual(texts[0], texts[1]);
  const base = await lines((await evaluator.evaluate('TextVQA', options('base'))).file);
  assert.notDeepEqual(
    base.map((l) => l.text),
    texts[0],
  );
});

test('stopped between batches: nothing is written', async () => {
  const stop = new AbortController();
  const out = options('stopped');
  await assert.rejects(
    evaluator.evaluate('TextVQA', { ...out, signal: stop.signal, onBatch: () => stop.abort() }),
    (e) => (e as Error).name === 'AbortError',
  );
  assert.equal(await pathExists(join(out.out, 'merge.jsonl')), false);
});
