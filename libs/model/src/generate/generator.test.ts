import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { adapterConfig } from '../network/adapters.js';
import { initAdapter, initModel } from '../network/init.js';
import { mergeLora } from '../network/merge.js';
import { PRESETS, withVocabAndSeq } from '../network/presets.js';
import { Rng } from '@coin/core';
import type { Graph } from '@coin/onnx';
import { IMAGE_SENTINEL_ID } from '../prompt/image-tokens.js';
import { buildEvalPrompt, evalSharedPrefix, postprocessGeneration } from '../prompt/eval-prompt.js';
import { VICUNA_V1_SYSTEM } from '../prompt/vicuna.js';
import { ByteLevelBpeTokenizer } from '../tokenizer/bpe-tokenizer.js';
import { trainByteLevelBpe } from '../tokenizer/bpe-train.js';
import { englishLikeCorpus } from '../testing/test-corpus.js';
import { buildGenerateGraph } from './generate-graph.js';
import { Generator } from './generator.js';
import { sharpenedWeights } from './sharpened-weights.js';

// A random micro model has no preferred answers, which makes it a strict test: any difference in
// positions, masks or cache handling changes the argmax somewhere.
const config = withVocabAndSeq(PRESETS.micro, 40, 80);
const weights = sharpenedWeights(config, 7);
const EOS = 2;
/** Lengths up to 35 new tokens cover the carried cache growing well past the prompt's size. */
const LONG = 16;

/** Op types of a graph and of every subgraph in it. */
function opTypes(g: Graph): string[] {
  return g.nodes.flatMap((n) => [
    n.opType,
    ...Object.values(n.attributes).flatMap((a) => (a.kind === 'graph' ? opTypes(a.value) : [])),
  ]);
}

/** How many nodes of `opType` a generation graph holds, subgraphs included. */
const countOps = (model: { graph: Graph }, opType: string) => opTypes(model.graph).filter((t) => t === opType).length;

/** A GENERATE.BAD_OPTIONS error whose message matches `re`. */
const badOptions = (re: RegExp) => (e: unknown) =>
  (e as { code?: string }).code === 'GENERATE.BAD_OPTIONS' && re.test((e as Error).message);

function prompts(rng: Rng, batch: number, withImages: boolean): number[][] {
  return Array.from({ length: batch }, (_, b) => {
    const len = 3 + Math.floor(rng.next() * 8);
    const text = Array.from({ length: len }, () => 3 + Math.floor(rng.next() * 37));
    return withImages && b % 3 !== 1 ? [1, IMAGE_SENTINEL_ID, ...text] : [1, ...text];
  });
}

for (const withImages of [false, true]) {
  test(`cached (ONNX Loop) and recompute decoding give identical tokens, ${withImages ? 'with images' : 'text only'}, batch 4 with padding`, async () => {
    const rng = new Rng(withImages ? 2 : 1);
    const batch = {
      prompts: prompts(rng, 4, withImages),
      pixels: withImages ? Float32Array.from({ length: 4 * 3 * 32 * 32 }, () => rng.next() * 2 - 1) : undefined,
    };
    const common = { config, weights, batch: 4, withImages, eosId: EOS, padId: 0, session: { threads: 1 } };
    const cached = await Generator.create(common);
    const recompute = await Generator.reference(common);
    const a = await cached.generate(batch, 20);
    const b = await recompute.generate(batch, 20);
    assert.deepEqual(a, b);
    assert.ok(
      a.some((seq) => seq.length > 3),
      'something was generated',
    );
    // A prompt decodes the same alone as inside a padded batch.
    const single = await Generator.create({ ...common, batch: 1 });
    const alone = await single.generate(
      { prompts: [batch.prompts[1]], pixels: batch.pixels?.slice(3 * 32 * 32, 2 * 3 * 32 * 32) },
      20,
    );
    assert.deepEqual(alone[0], a[1]);
    await Promise.all([cached.release(), recompute.release(), single.release()]);
  });
}

/** Weights with an unmerged LoRA on every linear whose B is non-zero, so that it changes the output. */
function withLora(seed: number) {
  const adapter = adapterConfig({
    kind: 'lora',
    rank: 4,
    alpha: 8,
    targets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'],
  });
  const all = new Map([...weights, ...initAdapter(config.decoder, adapter, seed)]);
  for (const [name, t] of all)
    if (name.endsWith('lora_B')) (t.data as Float32Array).forEach((_, i, a) => (a[i] = Math.sin(i + seed) * 0.2));
  return { weights: all, adapter };
}

test('the cached graph (rotary kernel on CPU, graph rotary in the CUDA form, unmerged LoRA) agrees with recompute at every length, and when samples stop at different steps', async () => {
  const rng = new Rng(3);
  const batch = { prompts: prompts(rng, 3, false) };
  const common = { config, weights, batch: 3, withImages: false, padId: 0, session: { threads: 1 } };
  const lora = { ...common, ...withLora(5), eosId: -1 };
  const endless = {
    cpu: await Generator.create({ ...common, eosId: -1 }),
    cudaForm: await Generator.create({ ...common, eosId: -1, provider: 'cuda' }),
    recompute: await Generator.reference({ ...common, eosId: -1 }),
    lora: await Generator.create(lora),
    loraRecompute: await Generator.reference(lora),
  };
  const rotaryKernels = (provider: 'cpu' | 'cuda') =>
    countOps(
      buildGenerateGraph({ config, weights, batch: 3, withImages: false, eosId: EOS, provider }),
      'RotaryEmbedding',
    );
  assert.deepEqual(
    [rotaryKernels('cpu'), rotaryKernels('cuda')],
    [3 * config.decoder.layers, 0],
    'the kernel rotates in every layer of the prefill and of both decode Loops, on CPU only',
  );
  const reference = await endless.recompute.generate(batch, 2 * LONG + 3);
  const loraReference = await endless.loraRecompute.generate(batch, 2 * LONG + 3);
  assert.notDeepEqual(loraReference, reference, 'the adapter changes the output');
  for (const n of [1, 2, LONG, LONG + 1, LONG + 2, 2 * LONG + 1, 2 * LONG + 3]) {
    const expected = reference.map((seq) => seq.slice(0, n));
    assert.deepEqual(await endless.cpu.generate(batch, n), expected, `CPU kernels, ${n} new tokens`);
    assert.deepEqual(await endless.cudaForm.generate(batch, n), expected, `the CUDA form, ${n} new tokens`);
    assert.deepEqual(
      await endless.lora.generate(batch, n),
      loraReference.map((seq) => seq.slice(0, n)),
      `unmerged LoRA, ${n} new tokens`,
    );
  }
  // Samples that finish at different steps: the end token is the one the second sample emits at
  // step LONG + 2; the others go on, finish earlier, or never.
  const eos = reference[1][LONG + 1];
  const stopping = {
    cached: await Generator.create({ ...common, eosId: eos }),
    recompute: await Generator.reference({ ...common, eosId: eos }),
  };
  const cut = await stopping.recompute.generate(batch, 2 * LONG + 3);
  assert.ok(cut[1].length <= LONG + 1, 'the second sample stops early');
  assert.deepEqual(await stopping.cached.generate(batch, 2 * LONG + 3), cut);
  await Promise.all([...Object.values(endless), ...Object.values(stopping)].map((g) => g.release()));
});

test('decoding over two Loops in sequence agrees with recompute when the second gets no steps, and when a sample stops inside the first Loop or the second', async () => {
  const rng = new Rng(4);
  const batch = { prompts: prompts(rng, 3, false) };
  const common = { config, weights, batch: 3, withImages: false, padId: 0, session: { threads: 1 } };
  assert.equal(countOps(buildGenerateGraph({ config, weights, batch: 3, withImages: false, eosId: EOS }), 'Loop'), 2);
  const recompute = await Generator.reference({ ...common, eosId: -1 });
  const reference = await recompute.generate(batch, 2 * LONG + 3);
  const cached = await Generator.create({ ...common, eosId: -1 });
  // 1 and 2 new tokens leave the second Loop without steps; 3 gives each Loop one step.
  for (const n of [1, 2, 3, LONG + 2, 2 * LONG + 3])
    assert.deepEqual(
      await cached.generate(batch, n),
      reference.map((seq) => seq.slice(0, n)),
      `${n} new tokens`,
    );
  await cached.release();
  // 2·LONG + 3 new tokens: token 0 comes from the prefill, tokens 1–17 from the first Loop, 18–34
  // from the second. The first sample stops inside the first Loop, then inside the second; the
  // others stop wherever that token first comes to them, or go on.
  for (const [first, last] of [
    [1, 17],
    [18, 34],
  ]) {
    // A token the first sample emits here for the first time: it stops right there.
    const at = reference[0].findIndex((t, i) => i >= first && reference[0].indexOf(t) === i);
    assert.ok(at >= first && at <= last, `a new token between ${first} and ${last}`);
    const eos = reference[0][at];
    const stopping = {
      cached: await Generator.create({ ...common, eosId: eos }),
      recompute: await Generator.reference({ ...common, eosId: eos }),
    };
    const expected = await stopping.recompute.generate(batch, 2 * LONG + 3);
    assert.equal(expected[0].length, at, 'the first sample stops where intended');
    assert.deepEqual(await stopping.cached.generate(batch, 2 * LONG + 3), expected, `end token from token ${at}`);
    await Promise.all(Object.values(stopping).map((g) => g.release()));
  }
  await recompute.release();
});

test("ORT's GroupQueryAttention decode steps (batch 1 on CPU) agree with recompute, with images and samples that stop", async () => {
  // Head size 16: the smallest the kernel takes (micro's 24 decodes with graph attention, below).
  const cfg = { ...config, decoder: { ...config.decoder, heads: 3 } };
  const w = sharpenedWeights(cfg, 11);
  const usesKernel = (o: { config: typeof config; batch: number; provider?: 'cpu' | 'cuda' }) =>
    opTypes(buildGenerateGraph({ weights: w, withImages: false, eosId: EOS, ...o }).graph).includes(
      'GroupQueryAttention',
    );
  assert.deepEqual(
    [
      usesKernel({ config: cfg, batch: 1 }),
      usesKernel({ config: cfg, batch: 2 }),
      usesKernel({ config: cfg, batch: 1, provider: 'cuda' }),
      usesKernel({ config, batch: 1 }),
    ],
    [true, false, false, false],
    'at batch 1 on CPU with a head size it takes; not from batch 2 up, in the CUDA form, or at head size 24',
  );
  const rng = new Rng(5);
  const batch = {
    prompts: prompts(rng, 1, true),
    pixels: Float32Array.from({ length: 3 * 32 * 32 }, () => rng.next() * 2 - 1),
  };
  const common = { config: cfg, weights: w, batch: 1, withImages: true, padId: 0, session: { threads: 1 } };
  const reference = await Generator.reference({ ...common, eosId: -1 });
  const kernel = await Generator.create({ ...common, eosId: -1 });
  const expected = await reference.generate(batch, 2 * LONG + 3);
  for (const n of [1, 2, LONG + 1, 2 * LONG + 3])
    assert.deepEqual(
      await kernel.generate(batch, n),
      expected.map((seq) => seq.slice(0, n)),
      `${n} new tokens`,
    );
  const eos = expected[0][LONG];
  const stopping = {
    kernel: await Generator.create({ ...common, eosId: eos }),
    recompute: await Generator.reference({ ...common, eosId: eos }),
  };
  assert.deepEqual(
    await stopping.kernel.generate(batch, 2 * LONG + 3),
    await stopping.recompute.generate(batch, 2 * LONG + 3),
  );
  await Promise.all([reference, kernel, ...Object.values(stopping)].map((g) => g.release()));
  await assert.rejects(
    Generator.create({ ...common, eosId: EOS, provider: 'cpu', session: { executionProvider: 'cuda' } }),
    badOptions(/CUDA/),
  );
});

test('generation stops at the end token and refuses prompts that do not fit or hold bad ids, images or pixels', async () => {
  const g = await Generator.create({
    config,
    weights,
    batch: 1,
    withImages: false,
    eosId: EOS,
    padId: 0,
    session: { threads: 1 },
  });
  const out = await g.generate({ prompts: [[1, 5, 6]] }, 5);
  assert.ok(out[0].length <= 5 && !out[0].includes(EOS));
  await assert.rejects(g.generate({ prompts: [[1, 5, 6]] }, 100), /over the model's 80/);
  await assert.rejects(g.generate({ prompts: [[1], [2]] }, 5), /built for batch 1/);
  const refused = (code: string, re: RegExp) => (e: unknown) =>
    (e as { code?: string }).code === code && re.test((e as Error).message);
  await assert.rejects(g.generate({ prompts: [[]] }, 5), refused('GENERATE.BAD_PROMPT', /prompt 0 is empty/));
  await assert.rejects(
    g.generate({ prompts: [[1, 40]] }, 5),
    refused('GENERATE.BAD_PROMPT', /position 1: token id 40 is outside the vocabulary \[0, 40\)/),
  );
  await assert.rejects(g.generate({ prompts: [[1, -3]] }, 5), refused('GENERATE.BAD_PROMPT', /token id -3/));
  await assert.rejects(g.generate({ prompts: [[1, 2.5]] }, 5), refused('GENERATE.BAD_PROMPT', /token id 2.5/));
  const withImages = await Generator.create({
    config,
    weights,
    batch: 1,
    withImages: true,
    eosId: EOS,
    padId: 0,
    session: { threads: 1 },
  });
  await assert.rejects(
    withImages.generate({ prompts: [[1, IMAGE_SENTINEL_ID, 5, IMAGE_SENTINEL_ID]] }, 5),
    refused('GENERATE.BAD_PROMPT', /2 images/),
  );
  await assert.rejects(
    withImages.generate({ prompts: [[1, IMAGE_SENTINEL_ID, 5]], pixels: new Float32Array(10) }, 5),
    refused('GENERATE.BAD_PROMPT', /pixels hold 10 values/),
  );
  // Forgotten pixels would otherwise decode against a blank image.
  await assert.rejects(
    withImages.generate({ prompts: [[1, IMAGE_SENTINEL_ID, 5]] }, 5),
    refused('GENERATE.BAD_PROMPT', /prompt 0 has an image but no pixels were given/),
  );
  assert.equal((await withImages.generate({ prompts: [[1, 5]] }, 2)).length, 1, 'text-only prompts need no pixels');
  const options = { config, weights, batch: 2, withImages: false, eosId: EOS, padId: 0 };
  for (const [bad, re] of [
    [{ batch: 0 }, /batch must be a positive whole number, got 0/],
    [{ batch: 1.5 }, /got 1.5/],
    [{ padId: 40 }, /padId 40 is not a token id .* \[0, 40\)/],
    [{ padId: 1.5 }, /padId 1.5/],
    [{ eosId: 2.5 }, /eosId must be a whole number, got 2.5/],
  ] as const) {
    for (const make of [Generator.create, Generator.reference])
      await assert.rejects(make({ ...options, ...bad }), refused('GENERATE.BAD_OPTIONS', re));
  }
  assert.equal(
    (await withImages.generate({ prompts: [[1, IMAGE_SENTINEL_ID, 5]], pixels: new Float32Array(3 * 32 * 32) }, 3))[0]
      .length <= 3,
    true,
  );
  await withImages.release();
  await g.release();
});

test('LoRA merged into the weights decodes like LoRA applied in the graph; MoELoRA runs unmerged', async () => {
  const lora = adapterConfig({ kind: 'lora', rank: 4, alpha: 8, targets: ['q', 'v', 'down'] });
  const moe = adapterConfig({ kind: 'moelora', rank: 4, alpha: 8, experts: 2, targets: ['q', 'v'] });
  const rng = new Rng(9);
  const batch = { prompts: prompts(rng, 2, false) };
  const common = { config, batch: 2, withImages: false, eosId: EOS, padId: 0, session: { threads: 1 } };
  for (const adapter of [lora, moe]) {
    const adapterWeights = initAdapter(config.decoder, adapter, 3);
    // B starts at zero (a no-op adapter); give it values so that the adapter changes the output.
    for (const [name, t] of adapterWeights)
      if (name.endsWith('.lora_B')) (t.data as Float32Array).forEach((_, i, a) => (a[i] = (rng.next() - 0.5) * 0.5));
    const all = new Map([...weights, ...adapterWeights]);
    const applied = await Generator.create({ ...common, weights: all, adapter });
    const merged = await Generator.create({
      ...common,
      weights: mergeLora(all, adapter),
      adapter: adapter.kind === 'moelora' ? adapter : undefined,
    });
    const plain = await Generator.create({ ...common, weights });
    const [a, m, p] = [
      await applied.generate(batch, 12),
      await merged.generate(batch, 12),
      await plain.generate(batch, 12),
    ];
    assert.deepEqual(m, a, `${adapter.kind}: merged and applied agree`);
    assert.notDeepEqual(a, p, `${adapter.kind}: the adapter changes the output`);
    await Promise.all([applied.release(), merged.release(), plain.release()]);
  }
});

test('generateText turns CoIN test records into answers post-processed as the CoIN runners do', async () => {
  const tokenizer = new ByteLevelBpeTokenizer(
    trainByteLevelBpe([...englishLikeCorpus(300), VICUNA_V1_SYSTEM], { vocabSize: 400 }),
  );
  const cfg = withVocabAndSeq(PRESETS.micro, tokenizer.vocabSize, 256);
  const records = [
    {
      question_id: 'q1',
      image: 'a.png',
      text: 'What colour is the cat?\nAnswer the question using a single word or phrase.',
    },
    {
      question_id: 'q2',
      text: 'Which is a mammal?\nA. trout\nB. cat\nAnswer with the option letter from the given choices directly.',
    },
  ];
  const prompts = records.map((r) => buildEvalPrompt(r, 'science', tokenizer));
  assert.deepEqual(
    prompts.map((p) => p.imagePosition >= 0),
    [true, false],
    'text-only ScienceQA items run without an image',
  );
  const w = initModel(cfg, 5);
  const g = await Generator.create({
    config: cfg,
    weights: w,
    batch: 2,
    withImages: true,
    eosId: tokenizer.eosId,
    padId: tokenizer.padId,
    session: { threads: 1 },
  });
  const batch = { prompts: prompts.map((p) => p.inputIds), pixels: new Float32Array(2 * 3 * 32 * 32).fill(0.25) };
  const ids = await g.generate(batch, 8);
  const texts = await g.generateText(batch, 8, tokenizer);
  assert.deepEqual(
    texts,
    ids.map((seq) => postprocessGeneration(tokenizer, seq)),
  );
  for (const t of texts) assert.equal(t, t.trim());
  // The prompt part every eval prompt shares, prefilled once: the same answers.
  const shared = await Generator.create({
    config: cfg,
    weights: w,
    batch: 2,
    withImages: true,
    eosId: tokenizer.eosId,
    padId: tokenizer.padId,
    sharedPrefix: evalSharedPrefix(tokenizer),
    session: { threads: 1 },
  });
  assert.deepEqual(await shared.generateText(batch, 8, tokenizer), texts);
  await Promise.all([g.release(), shared.release()]);
});
