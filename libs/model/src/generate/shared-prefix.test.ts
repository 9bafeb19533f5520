import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { Rng } from '@coin/core';
import { adapterConfig } from '../network/adapters.js';
import { initAdapter } from '../network/init.js';
import { PRESETS, withVocabAndSeq } from '../network/presets.js';
import { IMAGE_SENTINEL_ID } from '../prompt/image-tokens.js';
import { Generator, type GeneratorOptions } from './generator.js';
import { sharpenedWeights } from './sharpened-weights.js';

// A random micro model with sharpened attention (sharpened-weights.ts): any error in positions,
// masks or the joined cache changes the argmax somewhere.
const config = withVocabAndSeq(PRESETS.micro, 40, 80);
/** Head size 16 (3 heads): the batch-1 GroupQueryAttention kernel takes it. */
const kernelConfig = { ...config, decoder: { ...config.decoder, heads: 3 } };
const EOS = 2;
const PIXELS = 3 * 32 * 32;

/** BOS + a fixed "system text", then per sample an image (some samples) and text of its own length. */
function coinLikePrompts(rng: Rng, batch: number, shared: readonly number[]): number[][] {
  return Array.from({ length: batch }, (_, b) => {
    const own = Array.from({ length: 1 + Math.floor(rng.next() * 9) }, () => 3 + Math.floor(rng.next() * 37));
    return [...shared, ...(b % 3 !== 1 ? [IMAGE_SENTINEL_ID] : []), ...own];
  });
}

const SHARED = [1, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];

/** Tokens from generators with and without the shared prefix, cached and recompute, on one batch. */
async function compare(
  options: Omit<GeneratorOptions, 'batch'>,
  batchSize: number,
  seed: number,
  maxNew: number,
): Promise<number[][][]> {
  const rng = new Rng(seed);
  const batch = {
    prompts: coinLikePrompts(rng, batchSize, SHARED),
    pixels: Float32Array.from({ length: batchSize * PIXELS }, () => rng.next() * 2 - 1),
  };
  const common = { ...options, batch: batchSize, session: { threads: 1 } };
  const generators = [
    await Generator.reference(common),
    await Generator.create(common),
    await Generator.create({ ...common, sharedPrefix: SHARED }),
    await Generator.reference({ ...common, sharedPrefix: SHARED }),
  ];
  const out = [];
  for (const g of generators) out.push(await g.generate(batch, maxNew));
  await Promise.all(generators.map((g) => g.release()));
  return out;
}

test('a shared prefix computed once gives the tokens of whole-prompt decoding: images, padding, both Loops, samples that stop', async () => {
  const weights = sharpenedWeights(config, 7);
  const base = { config, weights, withImages: true, padId: 0 };
  for (const seed of [1, 2, 3]) {
    const [reference, plain, shared, sharedRecompute] = await compare({ ...base, eosId: -1 }, 4, seed, 30);
    assert.ok(reference.every((seq) => seq.length === 30));
    assert.deepEqual(plain, reference, `seed ${seed}, without a shared prefix`);
    assert.deepEqual(shared, reference, `seed ${seed}, with a shared prefix`);
    assert.deepEqual(sharedRecompute, reference, 'recompute runs whole prompts either way');
  }
  // Samples stopping at different steps: the end token is one the reference emits mid-way.
  const [reference] = await compare({ ...base, eosId: -1 }, 4, 9, 30);
  const eos = reference[0][12];
  const [stopped, , shared] = await compare({ ...base, eosId: eos }, 4, 9, 30);
  assert.ok(
    stopped.some((seq) => seq.length < 30),
    'some sample stopped',
  );
  assert.deepEqual(shared, stopped);
});

test('a shared prefix with unmerged LoRA, with the GroupQueryAttention kernel at batch 1, and in the CUDA form', async () => {
  const adapter = adapterConfig({
    kind: 'lora',
    rank: 4,
    alpha: 8,
    targets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'],
  });
  const lora = new Map([...sharpenedWeights(config, 3), ...initAdapter(config.decoder, adapter, 4)]);
  for (const [name, t] of lora)
    if (name.endsWith('lora_B')) (t.data as Float32Array).forEach((_, i, a) => (a[i] = Math.sin(i) * 0.2));
  const [reference, , shared] = await compare(
    { config, weights: lora, adapter, withImages: true, padId: 0, eosId: -1 },
    3,
    5,
    20,
  );
  assert.deepEqual(shared, reference, 'unmerged LoRA');
  // Head size 16: the kernel at batch 1; at batch 3, graph attention with padding between the shared prefix and the prompts' own tokens.
  for (const batchSize of [1, 3]) {
    const kernel = await compare(
      {
        config: kernelConfig,
        weights: sharpenedWeights(kernelConfig, 11),
        withImages: true,
        padId: 0,
        eosId: -1,
      },
      batchSize,
      6,
      30,
    );
    assert.deepEqual(kernel[2], kernel[0], `batch ${batchSize}, head size 16`);
  }
  // Graph rotary and attention, the form CUDA runs.
  const [reference16, , cudaForm] = await compare(
    { config, weights: sharpenedWeights(config, 13), withImages: true, padId: 5, eosId: -1, provider: 'cuda' },
    3,
    8,
    20,
  );
  assert.deepEqual(cudaForm, reference16, 'the CUDA form');
});

test('a shared prefix the model cannot take, and prompts that do not start with it, are refused clearly', async () => {
  const weights = sharpenedWeights(config, 7);
  const base = { config, weights, batch: 2, withImages: false, eosId: EOS, padId: 0, session: { threads: 1 } };
  const badOptions = (re: RegExp) => (e: unknown) =>
    (e as { code?: string }).code === 'GENERATE.BAD_OPTIONS' && re.test((e as Error).message);
  await assert.rejects(Generator.create({ ...base, sharedPrefix: [] }), badOptions(/sharedPrefix is empty/));
  await assert.rejects(
    Generator.create({ ...base, sharedPrefix: [1, IMAGE_SENTINEL_ID] }),
    badOptions(/position 1 is an image/),
  );
  await assert.rejects(
    Generator.create({ ...base, sharedPrefix: [1, 40] }),
    badOptions(/token id 40 is outside the vocabulary \[0, 40\)/),
  );
  await assert.rejects(
    Generator.create({ ...base, sharedPrefix: new Array(79).fill(3) }),
    badOptions(/79 tokens; the model takes 80 positions in all/),
  );
  for (const make of [Generator.create, Generator.reference]) {
    const g = await make({ ...base, sharedPrefix: [1, 7, 8] });
    const badPrompt = (re: RegExp) => (e: unknown) =>
      (e as { code?: string }).code === 'GENERATE.BAD_PROMPT' && re.test((e as Error).message);
    await assert.rejects(
      g.generate(
        {
          prompts: [
            [1, 7, 8, 5],
            [1, 7, 9, 5],
          ],
        },
        3,
      ),
      badPrompt(/prompt 1 does not start with the generator's shared prefix: they differ at position 2/),
    );
    await assert.rejects(
      g.generate(
        {
          prompts: [
            [1, 7, 8, 5],
            [1, 7, 8],
          ],
        },
        3,
      ),
      badPrompt(/prompt 1 ends where the shared prefix ends/),
    );
    await assert.rejects(
      g.generate(
        {
          prompts: [
            [1, 7, 8, 5],
            [1, 7],
          ],
        },
        3,
      ),
      badPrompt(/prompt 1 holds 2 tokens and ends inside the generator's 3-token shared prefix/),
    );
    // The shared prefix counts towards the model's positions: 3 + 1 + 77 = 81.
    await assert.rejects(
      g.generate(
        {
          prompts: [
            [1, 7, 8, 5],
            [1, 7, 8, 5],
          ],
        },
        77,
      ),
      (e: unknown) =>
        (e as { code?: string }).code === 'GENERATE.TOO_LONG' &&
        /= 81 positions, over the model's 80/.test((e as Error).message),
    );
    assert.equal(
      (
        await g.generate(
          {
            prompts: [
              [1, 7, 8, 5],
              [1, 7, 8, 5, 6],
            ],
          },
          75,
        )
      ).length,
      2,
      '3 + 2 + 75 fits',
    );
    await g.release();
  }
});

test('the generator keeps its own copy of the shared prefix: changing the caller array later changes nothing', async () => {
  const ids = [1, 7, 8];
  const g = await Generator.create({
    config,
    weights: sharpenedWeights(config, 7),
    batch: 1,
    withImages: false,
    eosId: -1,
    padId: 0,
    sharedPrefix: ids,
    session: { threads: 1 },
  });
  ids[2] = 9;
  await assert.rejects(g.generate({ prompts: [[1, 7, 9, 5]] }, 2), /differ at position 2/);
  assert.equal((await g.generate({ prompts: [[1, 7, 8, 5]] }, 2))[0].length, 2);
  await g.release();
});
