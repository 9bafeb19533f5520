import { CoinError } from '@coin/core';
import { attr, GraphBuilder, type Model, type TensorData, tensor, type Value } from '@coin/onnx';
import type { AdapterConfig } from '../network/adapters.js';
import { headDim, type ModelConfig } from '../network/config.js';
import { embedTokens, lmHead } from '../network/decoder.js';
import type { ForwardContext } from '../network/linear.js';
import { WeightSource } from '../network/weights.js';
import { VLM_INPUTS } from '../vlm/vlm-batch.js';
import { declareVlmInputs, vlmEmbeddings } from '../vlm/vlm-forward.js';
import { decodeLoop } from './decode-loop.js';
import { gqaDecodeLoop, gqaHeadSizeFits } from './gqa-decode-loop.js';
import { canFuseDecode, fuseDecodeWeights } from './fused-decode.js';
import { greedy, halfTables, lastPosition, prefill, ropeTables, type SharedPrefix } from './prefill.js';

/** Graph inputs and outputs of the generation graphs. */
export const GENERATE_IO = { maxNew: 'max_new_tokens', tokens: 'tokens', next: 'next_token' } as const;

export interface GenerateGraphOptions {
  readonly config: ModelConfig;
  /** Inference weights (LoRA merged into the base, or adapters kept when `adapter` is given). */
  readonly weights: ReadonlyMap<string, TensorData>;
  /** An unmerged adapter to apply (MoELoRA is always applied unmerged, as CoIN's eval loader does). */
  readonly adapter?: AdapterConfig;
  readonly batch: number;
  /** With images (pixel_values, image_index, image_mask inputs) or text only. */
  readonly withImages: boolean;
  readonly eosId: number;
  /**
   * Decode steps on fused weights (fused-decode.ts) where the weights allow it (default true);
   * false keeps the layer-by-layer step, for comparison.
   */
  readonly fuseDecode?: boolean;
  /**
   * How decode steps attend, on fused weights: 'graph' = graph ops over the prompt's cache and a
   * growing generated cache (decode-loop.ts); 'kernel' = ORT's com.microsoft GroupQueryAttention
   * (CPU kernel; gqa-decode-loop.ts). Default: 'kernel' at batch 1 with cpuKernels when the head
   * size is a multiple of 16, where it measured faster; 'graph' otherwise (larger batches measured
   * slower with the kernel).
   */
  readonly decodeAttention?: 'graph' | 'kernel';
  /**
   * Use ORT's com.microsoft CPU kernels where they measured faster (default true; the Generator
   * turns it off on CUDA, whose kernels take other inputs): RotaryEmbedding in the fused prefill
   * and decode steps, and GroupQueryAttention as the default decodeAttention at batch 1.
   */
  readonly cpuKernels?: boolean;
  /**
   * With 'graph' attention: how many Loops in sequence share the decode steps (decode-loop.ts),
   * 1–16, default 2. Between Loops the generated cache joins the read-only prefix, so the
   * per-step cache copies stay shorter; each join copies the prefix once, even after a Loop that
   * ran no steps. 'kernel' attention takes only 1. The cached graph's option: recompute has no
   * Loops and ignores a valid value, but refuses an invalid one as the cached graph does.
   */
  readonly decodeLoops?: number;
  /**
   * Keys and values of a token prefix every prompt starts with, computed once by the shared-prefix
   * graph (buildSharedPrefixGraph with the same options): the prompts fed to the graph are then
   * what follows it. The Generator's `sharedPrefix` fills this in.
   */
  readonly sharedCache?: SharedPrefixCache;
}

/** A shared prefix's length and, per layer, its keys and values [1, H, Ps, D]. */
export interface SharedPrefixCache {
  readonly length: number;
  readonly layers: ReadonlyArray<{ k: TensorData; v: TensorData }>;
}

/** Decode Loops in sequence by default: two measured faster than one at batch 32, three no better than two. */
const DEFAULT_DECODE_LOOPS = 2;
const MAX_DECODE_LOOPS = 16;

/** The decode attention to build: the kernel only on fused weights with a head size it accepts. */
function chooseDecodeAttention(o: GenerateGraphOptions, fused: boolean): 'graph' | 'kernel' {
  const fits = fused && gqaHeadSizeFits(headDim(o.config.decoder));
  if (o.decodeAttention === 'kernel' && !fits) {
    throw new CoinError(
      'GENERATE.BAD_OPTIONS',
      'INVALID_ARGUMENT',
      `decodeAttention 'kernel' needs fused weights (float32, no biases, adapters merged, fuseDecode not false) and a head size that is a multiple of 16 (head size ${headDim(o.config.decoder)})`,
      { hint: "leave decodeAttention unset, or use 'graph'" },
    );
  }
  return o.decodeAttention ?? (fits && o.batch === 1 && o.cpuKernels !== false ? 'kernel' : 'graph');
}

/** Refuses a decodeLoops that is not a whole number in 1–16 (both graphs check it, though recompute has no Loops). */
function checkDecodeLoopsRange(n: number | undefined): void {
  if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > MAX_DECODE_LOOPS)) {
    throw new CoinError(
      'GENERATE.BAD_OPTIONS',
      'INVALID_ARGUMENT',
      `decodeLoops must be a whole number from 1 to ${MAX_DECODE_LOOPS}, got ${n}`,
      { hint: `leave it unset for the default (${DEFAULT_DECODE_LOOPS})` },
    );
  }
}

/** The decode Loop count: a whole number in 1–16, and only for graph attention (the kernel carries the whole cache in one Loop). */
function chooseDecodeLoops(o: GenerateGraphOptions, attention: 'graph' | 'kernel'): number {
  const n = o.decodeLoops;
  checkDecodeLoopsRange(n);
  if (n === undefined) return attention === 'graph' ? DEFAULT_DECODE_LOOPS : 1;
  if (attention === 'kernel' && n !== 1) {
    throw new CoinError(
      'GENERATE.BAD_OPTIONS',
      'INVALID_ARGUMENT',
      `decodeLoops ${n} needs graph attention; the GroupQueryAttention kernel (decodeAttention 'kernel', the default at batch 1) decodes in one Loop`,
      { hint: "set decodeAttention: 'graph', or leave decodeLoops unset" },
    );
  }
  return n;
}

/** Prompt inputs with a run-time length: left-padded [B, T] ids and mask (+ image inputs). */
function promptEmbeddings(ctx: ForwardContext, o: GenerateGraphOptions): { embeds: Value; mask: Value } {
  const { b } = ctx;
  if (o.withImages) {
    const inputs = declareVlmInputs(b, o.config, o.batch, 'T');
    return { embeds: vlmEmbeddings(ctx, o.config, inputs), mask: inputs.attention };
  }
  const ids = b.input(VLM_INPUTS.ids, 'int64', [o.batch, 'T']);
  return { embeds: embedTokens(ctx, ids), mask: b.input(VLM_INPUTS.attention, 'int64', [o.batch, 'T']) };
}

/** `fused`: the fused decode weights (fused-decode.ts), served by the same source as the model's. */
function context(b: GraphBuilder, o: GenerateGraphOptions, fused?: ReadonlyMap<string, TensorData>): ForwardContext {
  return { b, w: new WeightSource(b, fused ? new Map([...o.weights, ...fused]) : o.weights), adapter: o.adapter };
}

/** What the cached graphs share: weights (fused where they can be), rotary tables, the decode attention. */
function cachedGraphParts(b: GraphBuilder, o: GenerateGraphOptions) {
  const fuse = o.fuseDecode !== false && canFuseDecode(o.config.decoder, o.weights, o.adapter);
  const ctx = context(b, o, fuse ? fuseDecodeWeights(o.config.decoder, o.weights) : undefined);
  const fused = fuse ? ctx.w : undefined;
  const attention = chooseDecodeAttention(o, fuse);
  const tables = ropeTables(b, o.config.decoder);
  // ORT's kernels take the rotary tables' first halves; they rotate in the fused prefill and steps.
  const kernelTables = fused && (o.cpuKernels !== false || attention === 'kernel') ? halfTables(b, tables) : undefined;
  const rotaryKernel = o.cpuKernels !== false ? kernelTables : undefined;
  return { ctx, fused, attention, tables, kernelTables, rotaryKernel };
}

/** Graph inputs and outputs of the shared-prefix graph. */
export const SHARED_PREFIX_IO = {
  ids: 'prefix_ids',
  key: (l: number) => `prefix_key_${l}`,
  value: (l: number) => `prefix_value_${l}`,
} as const;

/**
 * The keys and values of a token prefix every prompt shares (CoIN's system text), computed once
 * per generator by the same prefill the generation graph runs, with the same weights and kernels:
 * input `prefix_ids` [1, Ps], outputs per layer `prefix_key_l` and `prefix_value_l` [1, H, Ps, D].
 */
export function buildSharedPrefixGraph(o: GenerateGraphOptions, length: number): Model {
  const b = new GraphBuilder(`${o.config.name}_shared_prefix`);
  const { ctx, fused, attention, tables, rotaryKernel } = cachedGraphParts(b, o);
  chooseDecodeLoops(o, attention); // refuse bad options here, before the prefix is computed for nothing
  const ids = b.input(SHARED_PREFIX_IO.ids, 'int64', [1, length]);
  const mask = b.constant(tensor('int64', [1, length], new BigInt64Array(length).fill(1n)), 'prefix_mask');
  const { cache } = prefill(ctx, o.config.decoder, embedTokens(ctx, ids), mask, tables, {
    lastOnly: true,
    fused,
    kernelTables: rotaryKernel,
  });
  cache.forEach(({ k, v }, l) => {
    b.output(k, SHARED_PREFIX_IO.key(l));
    b.output(v, SHARED_PREFIX_IO.value(l));
  });
  return b.model({ docString: 'keys and values of a prompt prefix every sample shares' });
}

/** The shared prefix's keys and values as initializers of the generation graph. */
function sharedPrefix(b: GraphBuilder, cache: SharedPrefixCache, layers: number): SharedPrefix {
  if (cache.layers.length !== layers)
    throw new CoinError(
      'GENERATE.BAD_OPTIONS',
      'INVALID_ARGUMENT',
      `sharedCache holds ${cache.layers.length} layers of keys and values; the model has ${layers}`,
      { hint: 'compute it with buildSharedPrefixGraph from the same options' },
    );
  return {
    length: cache.length,
    layers: cache.layers.map(({ k, v }, l) => ({
      k: b.initializer(`shared_prefix.layers.${l}.k`, k),
      v: b.initializer(`shared_prefix.layers.${l}.v`, v),
    })),
  };
}

/**
 * Greedy generation with a KV cache, whole in one graph: prefill over the prompt, the first token
 * from its last position, then ONNX Loops of single-token steps. Output `tokens` [M', B]
 * (M' ≤ max_new_tokens; stops once every sample has emitted eosId, which finished samples repeat).
 * With `sharedCache`, the prompts are what follows the shared prefix, whose keys and values join
 * the cache ahead of theirs.
 */
export function buildGenerateGraph(o: GenerateGraphOptions): Model {
  const b = new GraphBuilder(`${o.config.name}_generate`);
  const { ctx, fused, attention, tables, kernelTables, rotaryKernel } = cachedGraphParts(b, o);
  const loops = chooseDecodeLoops(o, attention);
  const { embeds, mask: promptMask } = promptEmbeddings(ctx, o);
  const maxNew = b.input(GENERATE_IO.maxNew, 'int64', []);
  const shared = o.sharedCache && sharedPrefix(b, o.sharedCache, o.config.decoder.layers);
  const {
    hidden,
    cache,
    keyMask: mask,
  } = prefill(ctx, o.config.decoder, embeds, promptMask, tables, {
    lastOnly: true,
    fused,
    kernelTables: rotaryKernel,
    shared,
  });
  const first = greedy(b, lmHead(ctx, o.config.decoder, b.op('Squeeze', [hidden, b.i64([1])]))); // [B]
  const firstPositions = b.op('ReduceSum', [mask, b.i64([1])], { keepdims: attr.int(0) }); // [B]: real prompt tokens
  const steps = b.op('Sub', [maxNew, b.scalar('int64', 1)]);
  const loopInputs = {
    steps,
    firstToken: first,
    firstPositions,
    mask,
    cache,
    tables,
    fused,
    kernelTables: rotaryKernel,
  };
  const rest =
    fused && kernelTables && attention === 'kernel'
      ? gqaDecodeLoop(ctx, o.config.decoder, o.batch, o.eosId, { ...loopInputs, fused, kernelTables })
      : decodeLoop(ctx, o.config.decoder, o.batch, o.eosId, loopInputs, loops); // [M'-1, B]
  const all = b.op(
    'Concat',
    [b.op('Unsqueeze', [first, b.i64([0])]), rest],
    { axis: attr.int(0) },
    { types: [{ dtype: 'int64', shape: ['M', o.batch] }] },
  );
  b.output(all, GENERATE_IO.tokens);
  return b.model({ docString: 'greedy generation with a KV cache inside ONNX Loops' });
}

/**
 * The no-cache baseline: one full forward over the (left-padded) sequence so far, returning the
 * greedy next token [B]. The host appends it and runs again: every step recomputes everything.
 */
export function buildNextTokenGraph(o: GenerateGraphOptions): Model {
  checkDecodeLoopsRange(o.decodeLoops);
  const b = new GraphBuilder(`${o.config.name}_next_token`);
  const ctx = context(b, o);
  const { embeds, mask } = promptEmbeddings(ctx, o);
  const { hidden } = prefill(ctx, o.config.decoder, embeds, mask, ropeTables(b, o.config.decoder));
  b.output(greedy(b, lmHead(ctx, o.config.decoder, lastPosition(b, hidden))), GENERATE_IO.next);
  return b.model({ docString: 'greedy next token without a cache' });
}
