import { tensor, type TensorData } from '@coin/onnx';
import { type AdapterConfig, LINEAR_TARGETS, type LinearTarget } from './adapters.js';
import { type DecoderConfig, imageTokens, type ModelConfig, type VisionConfig } from './config.js';
import { internalNames as names, isAdapterName } from '../internal-names.js';
import { Rng } from '@coin/core';
import { visionBlocksToRun, visionNames } from './vision.js';
import type { WeightMap } from './weights.js';

function normal(rng: Rng, dims: number[], std: number): TensorData {
  const n = dims.reduce((a, d) => a * d, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.normal() * std;
  return { dtype: 'float32', dims, data };
}

function uniform(rng: Rng, dims: number[], bound: number): TensorData {
  const n = dims.reduce((a, d) => a * d, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.range(-bound, bound);
  return { dtype: 'float32', dims, data };
}

const ones = (n: number) => tensor('float32', [n], new Float32Array(n).fill(1));
const zeros = (dims: number[]) => tensor('float32', dims);

/** Where random weights come from: a seeded stream per part, or nowhere (shapes only). */
interface Draw {
  normal(dims: number[], std: number): TensorData;
  uniform(dims: number[], bound: number): TensorData;
}
type DrawFor = (part: 'decoder' | 'vision' | 'projector') => Draw;

function seeded(seed: number): DrawFor {
  return (part) => {
    const rng = Rng.for(seed, part);
    return { normal: (dims, std) => normal(rng, dims, std), uniform: (dims, bound) => uniform(rng, dims, bound) };
  };
}

/** Dims without data: for shape checks only, never returned as weights. */
const shapesOnly: DrawFor = () => {
  const empty = (dims: number[]): TensorData => ({ dtype: 'float32', dims, data: new Float32Array(0) });
  return { normal: empty, uniform: empty };
};

/** In/out widths of each adaptable linear of a decoder block. */
function linearShape(cfg: DecoderConfig, t: LinearTarget): [number, number] {
  if (t === 'gate' || t === 'up') return [cfg.dim, cfg.ffn];
  if (t === 'down') return [cfg.ffn, cfg.dim];
  return [cfg.dim, cfg.dim];
}

/**
 * GPT-2/nanoGPT-style initialisation from a seed: N(0, 0.02) weights, residual output
 * projections (o, down) scaled by 1/√(2·layers), RMSNorm gains 1.
 */
export function initDecoder(cfg: DecoderConfig, seed: number): WeightMap {
  return decoderWeights(cfg, seeded(seed));
}

function decoderWeights(cfg: DecoderConfig, drawFor: DrawFor): WeightMap {
  const draw = drawFor('decoder');
  const w: WeightMap = new Map();
  w.set(names.embed, draw.normal([cfg.vocab, cfg.dim], 0.02));
  for (let l = 0; l < cfg.layers; l++) {
    w.set(names.attnNorm(l), ones(cfg.dim));
    w.set(names.ffnNorm(l), ones(cfg.dim));
    for (const t of LINEAR_TARGETS) {
      const std = t === 'o' || t === 'down' ? 0.02 / Math.sqrt(2 * cfg.layers) : 0.02;
      w.set(names.linearWeight(l, t), draw.normal(linearShape(cfg, t), std));
    }
  }
  w.set(names.norm, ones(cfg.dim));
  if (!cfg.tiedEmbeddings) w.set(names.head, draw.normal([cfg.dim, cfg.vocab], 0.02));
  return w;
}

/**
 * Adapter weights for every targeted linear. LoRA (PEFT): A Kaiming-uniform with a = √5, i.e.
 * U(±1/√in), B zeros. MoELoRA (docs/protocol.md#moelora): A ~ N(0, 0.01²), B zeros, router U(±1/√in)
 * (PyTorch's default Linear init). Both start as a no-op because B = 0.
 */
export function initAdapter(cfg: DecoderConfig, adapter: AdapterConfig, seed: number): WeightMap {
  const w: WeightMap = new Map();
  if (adapter.kind === 'full') return w;
  const rng = Rng.for(seed, `adapter:${adapter.kind}`);
  for (let l = 0; l < cfg.layers; l++) {
    for (const t of adapter.targets) {
      const [fin, fout] = linearShape(cfg, t);
      const path = names.linear(l, t);
      if (adapter.kind === 'lora') {
        w.set(`${path}.lora_A`, uniform(rng, [fin, adapter.rank], 1 / Math.sqrt(fin)));
      } else {
        w.set(`${path}.lora_A`, normal(rng, [fin, adapter.rank], 0.01));
        w.set(`${path}.lora_router`, uniform(rng, [fin, adapter.experts], 1 / Math.sqrt(fin)));
      }
      w.set(`${path}.lora_B`, zeros([adapter.rank, fout]));
    }
  }
  return w;
}

/**
 * Names that train under `adapter`: the adapter weights, or for full tuning every decoder weight;
 * the projector too when `trainProjector`. The vision tower trains only in pretraining
 * (`trainVision`); in every stage it is frozen (docs/protocol.md#model: CLIP is frozen, as in
 * LLaVA's full fine-tuning).
 */
export function trainableNames(weights: ReadonlyMap<string, TensorData>, adapter: AdapterConfig): string[] {
  const projector = (n: string) => n.startsWith('projector.');
  const names = [...weights.keys()];
  if (adapter.kind === 'full')
    return names.filter(
      (n) =>
        !isAdapterName(n) &&
        (!n.startsWith('vision.') || adapter.trainVision === true) &&
        (!projector(n) || adapter.trainProjector),
    );
  return names.filter((n) => isAdapterName(n) || (adapter.trainProjector && projector(n)));
}

/** CLIP-like vision tower init: N(0, 0.02) weights, zero biases, LayerNorm 1/0. Only the blocks that run are created. */
function visionWeights(v: VisionConfig, drawFor: DrawFor): WeightMap {
  const draw = drawFor('vision');
  const w: WeightMap = new Map();
  w.set(visionNames.patch, draw.normal([3 * v.patch * v.patch, v.dim], 0.02));
  w.set(visionNames.cls, draw.normal([v.dim], 0.02));
  w.set(visionNames.pos, draw.normal([imageTokens(v) + 1, v.dim], 0.02));
  const norm = (name: string) => {
    w.set(`${name}.weight`, ones(v.dim));
    w.set(`${name}.bias`, zeros([v.dim]));
  };
  const lin = (name: string, fin: number, fout: number) => {
    w.set(`${name}.weight`, draw.normal([fin, fout], 0.02));
    w.set(`${name}.bias`, zeros([fout]));
  };
  norm(visionNames.preNorm);
  for (let l = 0; l < visionBlocksToRun(v); l++) {
    norm(visionNames.ln1(l));
    norm(visionNames.ln2(l));
    for (const t of ['q', 'k', 'v', 'o'] as const) lin(visionNames.attn(l, t), v.dim, v.dim);
    lin(visionNames.fc1(l), v.dim, v.ffn);
    lin(visionNames.fc2(l), v.ffn, v.dim);
  }
  return w;
}

/** The mlp2x_gelu projector: PyTorch Linear default init U(±1/√in) for weights and biases. */
function projectorWeights(config: ModelConfig, drawFor: DrawFor): WeightMap {
  const draw = drawFor('projector');
  const w: WeightMap = new Map();
  const c = config.decoder.dim;
  const dv = config.vision.dim;
  w.set('projector.0.weight', draw.uniform([dv, c], 1 / Math.sqrt(dv)));
  w.set('projector.0.bias', draw.uniform([c], 1 / Math.sqrt(dv)));
  w.set('projector.2.weight', draw.uniform([c, c], 1 / Math.sqrt(c)));
  w.set('projector.2.bias', draw.uniform([c], 1 / Math.sqrt(c)));
  return w;
}

/** Every base weight of a model (vision tower, projector, decoder) from one seed. */
export function initModel(config: ModelConfig, seed: number): WeightMap {
  return modelWeights(config, seeded(seed));
}

/** The dims of every base weight initModel makes, without drawing any numbers. */
export function baseWeightShapes(config: ModelConfig): Map<string, readonly number[]> {
  return new Map([...modelWeights(config, shapesOnly)].map(([name, t]) => [name, t.dims]));
}

function modelWeights(config: ModelConfig, drawFor: DrawFor): WeightMap {
  return new Map([
    ...visionWeights(config.vision, drawFor),
    ...projectorWeights(config, drawFor),
    ...decoderWeights(config.decoder, drawFor),
  ]);
}
