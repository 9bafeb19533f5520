import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CoinError } from '@coin/core';
import { loadBaseCheckpoint, loadTokenizer } from '@coin/model';
import { BASE_MANIFEST_FILE } from './base-store.js';
import { findBase, type PretrainEvent, pretrainBase } from './pretrain.js';
import { smallWorld } from './testing-world.js';

let world: { root: string; data: string };
before(async () => {
  world = await smallWorld();
});
after(async () => {
  await rm(world.root, { recursive: true, force: true });
});

const HYPER = { steps: 40, batch: 8, lr: 3e-3, visionWarmupSteps: 20, visionWarmupBatch: 8 };
const pretrain = (store: string, seed = 3, onEvent?: (e: PretrainEvent) => void) =>
  pretrainBase({
    preset: 'micro',
    storeDir: join(world.root, store),
    dataDir: world.data,
    seed,
    hyper: HYPER,
    threads: 1,
    onEvent,
  });

const lookup = (store: string, seed = 3) =>
  findBase({ preset: 'micro', storeDir: join(world.root, store), dataDir: world.data, seed, hyper: HYPER });

test('micro pretraining: the caption loss falls, the held-out loss is reported, the folder is complete', async () => {
  assert.equal(await lookup('store-a'), undefined);
  const trainEvents: number[] = [];
  const phases: string[] = [];
  const r = await pretrain('store-a', 3, (e) => {
    if (e.phase === 'train') trainEvents.push(e.loss);
    if (e.phase === 'vision' || e.phase === 'train') phases.push(e.phase);
  });
  assert.equal(r.cached, false);
  assert.equal(trainEvents.length, HYPER.steps);
  // The vision warm-up's steps come first, then captioning's; the manifest keeps its report.
  assert.deepEqual(phases, [...Array(20).fill('vision'), ...Array(HYPER.steps).fill('train')]);
  const warm = r.manifest.visionWarmup;
  assert.ok(warm && warm.steps === 20 && warm.heldOutLoss.final < warm.heldOutLoss.initial, JSON.stringify(warm));
  const m = r.manifest;
  assert.ok(m.trainLoss.last < 0.8 * m.trainLoss.first, `train loss ${m.trainLoss.first} → ${m.trainLoss.last}`);
  assert.ok(m.heldOutLoss < 0.85 * m.initialHeldOutLoss, `held-out ${m.initialHeldOutLoss} → ${m.heldOutLoss}`);
  assert.ok(m.samples.heldOut >= 1 && m.samples.train > m.samples.heldOut);
  assert.equal(m.samples.truncated, 0);
  assert.equal(m.preset, 'micro');
  assert.equal(m.seed, 3);
  assert.match(m.dataHash, /^[0-9a-f]{64}$/);
  assert.match(m.tokenizer.sha256, /^[0-9a-f]{64}$/);
  assert.equal(r.dir, join(world.root, 'store-a', 'models', r.key));
  // The folder loads as a base model with its tokenizer; nothing but it lies under models/.
  const base = await loadBaseCheckpoint(r.dir);
  const tokenizer = await loadTokenizer(join(r.dir, 'tokenizer.json'));
  assert.equal(base.config.decoder.vocab, tokenizer.vocabSize);
  assert.ok(base.weights.has('vision.patch_embed.weight'));
  assert.deepEqual(await readdir(join(world.root, 'store-a', 'models')), [r.key]);

  // A second call with the same inputs finds it: no training, same folder.
  let trained = false;
  const again = await pretrain('store-a', 3, (e) => {
    trained ||= e.phase === 'train';
  });
  assert.equal(again.cached, true);
  assert.equal(trained, false);
  assert.equal(again.dir, r.dir);
  assert.deepEqual(again.manifest, m);
  assert.deepEqual(await lookup('store-a'), { dir: r.dir, manifest: m });
  assert.equal(await lookup('store-a', 4), undefined);
  // Without --data, a store that has no default world yet has no base either (and gets no world).
  assert.equal(await findBase({ preset: 'micro', storeDir: join(world.root, 'store-a') }), undefined);
  assert.deepEqual(await readdir(join(world.root, 'store-a')), ['models']);
});

test('pretraining is deterministic from the seed: same seed, identical bytes; another seed, another key', async () => {
  const [a, b] = [await pretrain('store-b', 3), await pretrain('store-c', 3)];
  for (const file of ['model.safetensors', 'tokenizer.json', BASE_MANIFEST_FILE, 'coin_config.json'])
    assert.ok((await readFile(join(a.dir, file))).equals(await readFile(join(b.dir, file))), file);
  const other = await pretrain('store-c', 4);
  assert.notEqual(other.key, a.key);
  assert.ok(
    !(await readFile(join(a.dir, 'model.safetensors'))).equals(await readFile(join(other.dir, 'model.safetensors'))),
  );
});

test('missing data and an abort leave nothing half-written in the store', async () => {
  const store = join(world.root, 'store-d');
  const empty = join(world.root, 'not-a-world');
  await mkdir(empty);
  await assert.rejects(
    pretrainBase({ preset: 'micro', storeDir: store, dataDir: empty, hyper: HYPER }),
    (e: unknown) => e instanceof CoinError && e.code === 'PRETRAIN.NO_DATA' && e.kind === 'NOT_FOUND',
  );
  const controller = new AbortController();
  await assert.rejects(
    pretrainBase({
      preset: 'micro',
      storeDir: store,
      dataDir: world.data,
      hyper: HYPER,
      threads: 1,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.phase === 'train' && e.step === 5) controller.abort();
      },
    }),
  );
  assert.deepEqual(await readdir(join(store, 'models')), []);
});
