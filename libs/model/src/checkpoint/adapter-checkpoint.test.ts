import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CoinError, Rng } from '@coin/core';
import { type HostTensor, readSafetensorsFile, writeSafetensorsFile } from '@coin/runtime';
import { type AdapterSpec } from './adapter-config.js';
import {
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
  loadAdapterCheckpoint,
  NON_LORA_FILE,
  saveAdapterCheckpoint,
} from './adapter-checkpoint.js';
import { adapterTensorsFromPeft, adapterTensorsToPeft } from './adapter-tensors.js';
import { internalNames, type LinearName } from '../internal-names.js';

const isCode = (code: string) => (e: unknown) => e instanceof CoinError && e.code === code;
const f32 = (dims: number[], values: ArrayLike<number>): HostTensor => ({
  dtype: 'float32',
  dims,
  data: Float32Array.from(values),
});
const iota = (dims: number[]): HostTensor =>
  f32(
    dims,
    Array.from({ length: dims[0] * dims[1] }, (_, i) => i),
  );

function randomTensor(rng: Rng, dims: number[]): HostTensor {
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = (rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 8 - 4);
  data[0] = -0; // bit-exactness includes the sign of zero and NaN payloads
  if (data.length > 1) new Uint32Array(data.buffer)[1] = 0x7fc0_1234;
  return { dtype: 'float32', dims, data };
}

/** Adapter + projector weights for a 2-layer model of width 6, MLP width 10, vision width 5. */
function randomWeights(spec: AdapterSpec, seed: number): Map<string, HostTensor> {
  const rng = new Rng(seed);
  const shape = (t: LinearName): [number, number] =>
    t === 'gate' || t === 'up' ? [6, 10] : t === 'down' ? [10, 6] : [6, 6];
  const w = new Map<string, HostTensor>();
  for (let l = 0; l < 2; l++) {
    for (const t of spec.targets) {
      const [fin, fout] = shape(t);
      w.set(internalNames.adapter(l, t, 'lora_A'), randomTensor(rng, [fin, spec.rank]));
      w.set(internalNames.adapter(l, t, 'lora_B'), randomTensor(rng, [spec.rank, fout]));
      if (spec.kind === 'moelora')
        w.set(internalNames.adapter(l, t, 'lora_router'), randomTensor(rng, [fin, spec.experts]));
    }
  }
  w.set(internalNames.projector(0, 'weight'), randomTensor(rng, [5, 6]));
  w.set(internalNames.projector(0, 'bias'), randomTensor(rng, [6]));
  w.set(internalNames.projector(2, 'weight'), randomTensor(rng, [6, 6]));
  w.set(internalNames.projector(2, 'bias'), randomTensor(rng, [6]));
  return w;
}

const bits = (t: HostTensor): Buffer => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
function assertBitExact(actual: ReadonlyMap<string, HostTensor>, expected: ReadonlyMap<string, HostTensor>): void {
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
  for (const [name, t] of expected) {
    const a = actual.get(name) as HostTensor;
    assert.deepEqual([a.dtype, [...a.dims]], [t.dtype, [...t.dims]], name);
    assert.ok(bits(a).equals(bits(t)), `${name} differs`);
  }
}

const lora: AdapterSpec = { kind: 'lora', rank: 4, alpha: 8, dropout: 0.05, targets: ['q', 'v', 'down'], experts: 1 };
const moe: AdapterSpec = {
  kind: 'moelora',
  rank: 4,
  alpha: 8,
  dropout: 0.05,
  targets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'],
  experts: 2,
};

describe('adapter tensor layout', () => {
  it('LoRA: transposes to PEFT [r, in] / [out, r]', () => {
    const spec: AdapterSpec = { ...lora, rank: 2, targets: ['q'] };
    const peft = adapterTensorsToPeft(new Map([[internalNames.adapter(0, 'q', 'lora_A'), iota([3, 2])]]), spec);
    const a = peft['base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight'];
    assert.deepEqual([...a.dims], [2, 3]);
    assert.deepEqual([...a.data], [0, 2, 4, 1, 3, 5]);
  });

  it('MoELoRA: splits the rank into experts, [r_e, in] / [out, r_e], router [E, in]', () => {
    const spec: AdapterSpec = { ...moe, rank: 4, experts: 2, targets: ['q'] };
    const p = 'base_model.model.model.layers.0.self_attn.q_proj';
    const peft = adapterTensorsToPeft(
      new Map([
        [internalNames.adapter(0, 'q', 'lora_A'), iota([3, 4])], // [in 3, r 4]
        [internalNames.adapter(0, 'q', 'lora_B'), iota([4, 2])], // [r 4, out 2]
        [internalNames.adapter(0, 'q', 'lora_router'), iota([3, 2])], // [in 3, E 2]
      ]),
      spec,
    );
    assert.deepEqual(Object.keys(peft).sort(), [
      `${p}.lora_A.loraA.0.mlp.weight`,
      `${p}.lora_A.loraA.1.mlp.weight`,
      `${p}.lora_B.loraB.0.mlp.weight`,
      `${p}.lora_B.loraB.1.mlp.weight`,
      `${p}.lora_router.weight`,
    ]);
    // Expert 1 of A = columns 2..3 of A, as rows: [[2, 6, 10], [3, 7, 11]].
    assert.deepEqual([...peft[`${p}.lora_A.loraA.1.mlp.weight`].data], [2, 6, 10, 3, 7, 11]);
    // Expert 1 of B = rows 2..3 of B ([[4, 5], [6, 7]]), transposed to [out 2, r_e 2].
    assert.deepEqual([...peft[`${p}.lora_B.loraB.1.mlp.weight`].data], [4, 6, 5, 7]);
    assert.deepEqual([...peft[`${p}.lora_router.weight`].dims], [2, 3]);
  });

  for (const spec of [lora, moe]) {
    it(`${spec.kind}: PEFT → internal is the exact inverse`, () => {
      const weights = new Map([...randomWeights(spec, 3)].filter(([n]) => n.includes('.lora_')));
      assertBitExact(adapterTensorsFromPeft(adapterTensorsToPeft(weights, spec), spec), weights);
    });
  }

  it('accepts the loraA.{e}.weight alias and refuses duplicates, missing experts and foreign keys', () => {
    const weights = new Map([...randomWeights(moe, 4)].filter(([n]) => n.includes('.lora_')));
    const peft = adapterTensorsToPeft(weights, moe);
    const aliased = Object.fromEntries(Object.entries(peft).map(([k, t]) => [k.replace('.mlp.weight', '.weight'), t]));
    assertBitExact(adapterTensorsFromPeft(aliased, moe), weights);
    const key = 'base_model.model.model.layers.1.mlp.up_proj.lora_A.loraA.1.mlp.weight';
    assert.throws(
      () => adapterTensorsFromPeft({ ...peft, [key.replace('.mlp.weight', '.weight')]: peft[key] }, moe),
      isCode('CHECKPOINT.DUPLICATE_KEY'),
    );
    const { [key]: _dropped, ...missingOne } = peft;
    assert.throws(
      () => adapterTensorsFromPeft(missingOne, moe),
      (e: unknown) => isCode('CHECKPOINT.MISSING_KEY')(e) && (e as CoinError).message.includes(key),
    );
    assert.throws(
      () =>
        adapterTensorsFromPeft({ ...peft, 'base_model.model.model.layers.0.self_attn.q_proj.weight': peft[key] }, moe),
      isCode('CHECKPOINT.UNKNOWN_KEY'),
    );
    assert.throws(() => adapterTensorsFromPeft(peft, lora), isCode('CHECKPOINT.UNKNOWN_KEY'));
    assert.throws(
      () => adapterTensorsToPeft(new Map([['layers.0.attn.q.weight', iota([2, 2])]]), lora),
      isCode('CHECKPOINT.UNKNOWN_KEY'),
    );
  });

  for (const spec of [lora, moe]) {
    it(`${spec.kind}: refuses a file that lacks a target module in some layer, naming the tensor`, () => {
      const peft = adapterTensorsToPeft(
        new Map([...randomWeights(spec, 5)].filter(([n]) => n.includes('.lora_'))),
        spec,
      );
      const module = 'base_model.model.model.layers.1.mlp.down_proj';
      const partial = Object.fromEntries(Object.entries(peft).filter(([k]) => !k.startsWith(`${module}.`)));
      const key = spec.kind === 'lora' ? `${module}.lora_A.weight` : `${module}.lora_A.loraA.0.mlp.weight`;
      assert.throws(
        () => adapterTensorsFromPeft(partial, spec),
        (e: unknown) => isCode('CHECKPOINT.MISSING_KEY')(e) && (e as CoinError).message.includes(key),
      );
      const layer0 = Object.fromEntries(Object.entries(peft).filter(([k]) => k.includes('.layers.1.')));
      assert.throws(
        () => adapterTensorsFromPeft(layer0, spec),
        (e: unknown) => isCode('CHECKPOINT.MISSING_KEY')(e) && (e as CoinError).message.includes('layers.0.'),
      );
      assert.throws(() => adapterTensorsFromPeft({}, spec), isCode('CHECKPOINT.MISSING_KEY'));
    });
  }

  it('MoELoRA: refuses experts whose ranks are not r / expert_num, even when they sum to r', () => {
    const spec: AdapterSpec = { ...moe, rank: 4, experts: 2, targets: ['q'] };
    const peft = adapterTensorsToPeft(new Map([...randomWeights(spec, 6)].filter(([n]) => n.includes('.lora_'))), spec);
    const p = 'base_model.model.model.layers.0.self_attn.q_proj';
    const a0 = peft[`${p}.lora_A.loraA.0.mlp.weight`]; // [r_e 2, in 6]
    const unevenA = {
      ...peft,
      [`${p}.lora_A.loraA.0.mlp.weight`]: f32([1, 6], [...a0.data].slice(0, 6) as number[]),
      [`${p}.lora_A.loraA.1.mlp.weight`]: f32([3, 6], new Array(18).fill(0)),
    };
    assert.throws(
      () => adapterTensorsFromPeft(unevenA, spec),
      (e: unknown) =>
        isCode('CHECKPOINT.BAD_SHAPE')(e) &&
        (e as CoinError).message.includes(`${p}.lora_A.loraA.0.mlp.weight has rank 1`),
    );
    const unevenB = {
      ...peft,
      [`${p}.lora_B.loraB.0.mlp.weight`]: f32([6, 3], new Array(18).fill(0)),
      [`${p}.lora_B.loraB.1.mlp.weight`]: f32([6, 1], new Array(6).fill(0)),
    };
    assert.throws(
      () => adapterTensorsFromPeft(unevenB, spec),
      (e: unknown) =>
        isCode('CHECKPOINT.BAD_SHAPE')(e) &&
        (e as CoinError).message.includes(`${p}.lora_B.loraB.0.mlp.weight has rank 3`),
    );
  });
});

describe('adapter checkpoint directory', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coin-ckpt-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const spec of [lora, moe]) {
    it(`${spec.kind}: save → load is bit-exact, with PEFT/LLaVA names on disk`, async () => {
      const sub = join(dir, spec.kind);
      await mkdir(sub);
      const weights = randomWeights(spec, 9);
      await saveAdapterCheckpoint(sub, { spec, weights }, { baseModel: 'coin-tiny' });
      const loaded = await loadAdapterCheckpoint(sub);
      assert.deepEqual(loaded.spec, spec);
      assertBitExact(loaded.weights, weights);
      const nonLora = await readSafetensorsFile(join(sub, NON_LORA_FILE));
      assert.deepEqual(Object.keys(nonLora.tensors).sort(), [
        'base_model.model.model.mm_projector.0.bias',
        'base_model.model.model.mm_projector.0.weight',
        'base_model.model.model.mm_projector.2.bias',
        'base_model.model.model.mm_projector.2.weight',
      ]);
      assert.deepEqual([...nonLora.tensors['base_model.model.model.mm_projector.0.weight'].dims], [6, 5]); // [out, in]
      const config = JSON.parse(await readFile(join(sub, ADAPTER_CONFIG_FILE), 'utf8'));
      assert.equal(config.base_model_name_or_path, 'coin-tiny');
    });
  }

  it('widens a PEFT adapter saved in float16 (as LLaVA saves them) to float32, exactly', async () => {
    const sub = join(dir, 'f16');
    await mkdir(sub);
    const half = (dims: number[], bits: number[]): HostTensor => ({
      dtype: 'float16',
      dims,
      data: Uint16Array.from(bits),
    });
    const p = 'base_model.model.model.layers.0.self_attn.q_proj';
    // A = [[1, -2]] ([r, in]), B = [[0.5], [2^-24]] ([out, r], the second a half subnormal); projector bias [0.25, 65504].
    await writeSafetensorsFile(
      join(sub, ADAPTER_WEIGHTS_FILE),
      {
        [`${p}.lora_A.weight`]: half([1, 2], [0x3c00, 0xc000]),
        [`${p}.lora_B.weight`]: half([2, 1], [0x3800, 0x0001]),
      },
      { format: 'pt' },
    );
    await writeSafetensorsFile(
      join(sub, NON_LORA_FILE),
      { 'base_model.model.model.mm_projector.0.bias': half([2], [0x3400, 0x7bff]) },
      { format: 'pt' },
    );
    await writeFile(
      join(sub, ADAPTER_CONFIG_FILE),
      JSON.stringify({ peft_type: 'LORA', r: 1, lora_alpha: 1, target_modules: ['q_proj'] }),
    );
    const loaded = await loadAdapterCheckpoint(sub);
    const expected = new Map([
      [internalNames.adapter(0, 'q', 'lora_A'), f32([2, 1], [1, -2])],
      [internalNames.adapter(0, 'q', 'lora_B'), f32([1, 2], [0.5, 2 ** -24])],
      [internalNames.projector(0, 'bias'), f32([2], [0.25, 65504])],
    ]);
    assertBitExact(loaded.weights, expected);
  });

  it('refuses a truncated or corrupted weights file, and a missing directory', async () => {
    const sub = join(dir, 'lora');
    const path = join(sub, ADAPTER_WEIGHTS_FILE);
    const original = await readFile(path);
    await truncate(path, original.length - 7);
    await assert.rejects(loadAdapterCheckpoint(sub), (e: unknown) => e instanceof CoinError && e.kind === 'DATA_LOSS');
    const garbled = Buffer.from(original);
    garbled.write('{"x', 8);
    await writeFile(path, garbled);
    await assert.rejects(loadAdapterCheckpoint(sub), (e: unknown) => e instanceof CoinError && e.kind === 'DATA_LOSS');
    await assert.rejects(
      loadAdapterCheckpoint(join(dir, 'nope')),
      (e: unknown) => e instanceof CoinError && e.code === 'CHECKPOINT.NOT_FOUND',
    );
  });
});
