import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { ByteLevelBpeTokenizer, IGNORE_INDEX, PRESETS, VLM_INPUTS, withVocabAndSeq } from '@coin/model';
import { expandedLength } from './caption-samples.js';
import { epochBatches, loadPretrainSet, pretrainBatch } from './pretrain-data.js';
import { smallWorld } from './testing-world.js';
import { trainWorldTokenizer } from './world-tokenizer.js';

let world: { root: string; data: string };
let tokenizer: ByteLevelBpeTokenizer;
before(async () => {
  world = await smallWorld();
  tokenizer = new ByteLevelBpeTokenizer(await trainWorldTokenizer(world.data, PRESETS.micro.decoder.vocab));
});
after(async () => {
  await rm(world.root, { recursive: true, force: true });
});

test('samples longer than maxSeq are counted and cut by the collator, never refused mid-run', async () => {
  const config = withVocabAndSeq(PRESETS.micro, tokenizer.vocabSize, 40);
  const set = await loadPretrainSet(world.data, tokenizer, config, 1, 0.1);
  assert.equal(set.seq, 40);
  const long = set.train.filter((it) => expandedLength(it.sample.inputIds, 16) > 40);
  assert.ok(long.length > 0);
  assert.equal(
    set.truncated,
    long.length + set.heldOut.filter((it) => expandedLength(it.sample.inputIds, 16) > 40).length,
  );
  const feeds = pretrainBatch(long.slice(0, 4), 4, set.seq, config, tokenizer.padId);
  assert.deepEqual(feeds[VLM_INPUTS.ids].dims, [4, 40]);
  // Every row keeps its 16 image positions whole, and is full to the last column.
  const mask = feeds[VLM_INPUTS.imageMask].data as Uint8Array;
  const attention = feeds[VLM_INPUTS.attention].data as BigInt64Array;
  for (let b = 0; b < 4; b++) {
    assert.equal(
      mask.slice(b * 40, b * 40 + 40).reduce((n, x) => n + x, 0),
      16,
    );
    assert.equal(attention[b * 40 + 39], 1n);
  }
});

test('the held-out split and the batches are seeded; a short last batch is padded with unlabelled rows', async () => {
  const config = withVocabAndSeq(PRESETS.micro, tokenizer.vocabSize);
  const [a, b] = [
    await loadPretrainSet(world.data, tokenizer, config, 1, 0.1),
    await loadPretrainSet(world.data, tokenizer, config, 1, 0.1),
  ];
  const ids = (items: readonly { sample: { id: string } }[]) => items.map((it) => it.sample.id);
  assert.deepEqual(ids(a.heldOut), ids(b.heldOut));
  assert.ok(
    a.heldOut.every((it) => it.pixels !== undefined),
    'only image captions are held out',
  );
  assert.ok(!ids(a.train).some((id) => ids(a.heldOut).includes(id)));
  const other = await loadPretrainSet(world.data, tokenizer, config, 2, 0.1);
  assert.notDeepEqual(ids(other.heldOut), ids(a.heldOut));
  const first = (seed: number) => ids(epochBatches(a.train, 4, seed).next().value as { sample: { id: string } }[]);
  assert.deepEqual(first(5), first(5));
  assert.notDeepEqual(first(5), first(6));
  const feeds = pretrainBatch(a.train.slice(0, 1), 3, a.seq, config, tokenizer.padId);
  const labels = feeds[VLM_INPUTS.labels].data as BigInt64Array;
  assert.ok(labels.slice(a.seq).every((l) => l === BigInt(IGNORE_INDEX)));
});

test('a chat round trains as a stage sample: system text and prompt unlabelled, the reply and </s> labelled', async () => {
  const config = withVocabAndSeq(PRESETS.micro, tokenizer.vocabSize);
  const set = await loadPretrainSet(world.data, tokenizer, config, 1, 0.1);
  const chats = set.train.filter((it) => it.sample.id.startsWith('chat_'));
  assert.ok(chats.length > 0, 'the world has chat rounds');
  for (const { sample, pixels } of chats.slice(0, 20)) {
    assert.equal(pixels, undefined);
    const labelled = sample.labels.filter((l) => l !== IGNORE_INDEX);
    assert.ok(labelled.length >= 2, `${sample.id}: the reply and its end`);
    assert.equal(labelled.at(-1), tokenizer.eosId, `${sample.id} ends with </s>`);
    const text = tokenizer.decode(
      sample.inputIds.slice(
        0,
        sample.labels.findIndex((l) => l !== IGNORE_INDEX),
      ),
    );
    assert.match(text, /USER: .*ASSISTANT:$/s, `${sample.id}: the prompt part is the vicuna turn`);
  }
});

test('a corpus line with a prompt and an image is refused by name', async () => {
  const { mkdtemp, mkdir, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { readCaptions } = await import('./world-corpus.js');
  const dir = await mkdtemp(join(tmpdir(), 'coin-corpus-'));
  try {
    await mkdir(join(dir, 'pretrain'));
    await writeFile(join(dir, 'pretrain', 'captions.jsonl'), '{"id":"x","image":"a.png","prompt":"hi","text":"yes"}\n');
    await assert.rejects(readCaptions(dir), (e: Error) => /line 1 .*prompt and an image/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
