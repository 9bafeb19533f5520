import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { ByteLevelBpeTokenizer, IMAGE_TOKEN, PRESETS, trainByteLevelBpe, VICUNA_V1_SYSTEM } from '@coin/model';
import { smallWorld } from './testing-world.js';
import { readCaptions } from './world-corpus.js';
import { trainWorldTokenizer } from './world-tokenizer.js';

let world: { root: string; data: string };
before(async () => {
  world = await smallWorld();
});
after(async () => {
  await rm(world.root, { recursive: true, force: true });
});

test('the world tokenizer is deterministic and has the special tokens the prompt code expects', async () => {
  const a = await trainWorldTokenizer(world.data, PRESETS.micro.decoder.vocab);
  const b = await trainWorldTokenizer(world.data, PRESETS.micro.decoder.vocab);
  assert.deepEqual(a, b);
  const tokenizer = new ByteLevelBpeTokenizer(a);
  assert.ok(tokenizer.vocabSize <= PRESETS.micro.decoder.vocab);
  assert.deepEqual([tokenizer.unkId, tokenizer.bosId, tokenizer.eosId, tokenizer.padId], [0, 1, 2, 0]);
  assert.deepEqual(tokenizer.encode(`${IMAGE_TOKEN}\nx`).slice(0, 1), [tokenizer.tokenToId(IMAGE_TOKEN)]);
});

test('the vicuna system text costs tens of tokens (about one per word), because the corpus renders it', async () => {
  const tokenizer = new ByteLevelBpeTokenizer(await trainWorldTokenizer(world.data, PRESETS.micro.decoder.vocab));
  const cost = tokenizer.encode(VICUNA_V1_SYSTEM).length;
  assert.ok(cost <= 32, `system text costs ${cost} tokens`);
  // The same budget of merges spent on the captions alone leaves it at several tokens per word.
  const captionsOnly = new ByteLevelBpeTokenizer(
    trainByteLevelBpe(
      (await readCaptions(world.data)).map((l) => l.text),
      { vocabSize: PRESETS.micro.decoder.vocab },
    ),
  );
  assert.ok(captionsOnly.encode(VICUNA_V1_SYSTEM).length > 2 * cost);
});
