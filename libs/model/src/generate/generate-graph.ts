import { CoinError } from '@coin/core';
import type { ExecutionProvider } from '@coin/runtime';
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
import { canPackQkv, packQkvWeights } from './generation-stack.js';
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
   * The execution provider the cached graphs are built for (default 'cpu'). On 'cpu' they use
   * ORT's com.microsoft CPU kernels: RotaryEmbedding in every layer, and GroupQueryAttention for
   * the decode steps at batch 1. The CUDA versions of those kernels take other inputs, so on
   * 'cuda' rotary and attention are graph ops, which every provider runs.
   */
  readonly provider?: ExecutionProvider;
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

/** `packed`: the packed q, k, v weights (generation-stack.ts), served by the same source as the model's. */
function context(b: GraphBuilder, o: GenerateGraphOptions, packed?: ReadonlyMap<string, TensorData>): ForwardContext {
  return { b, w: new WeightSource(b, packed ? new Map([...o.weights, ...packed]) : o.weights), adapter: o.adapter };
}

/**
 * What the cached graphs share: weights (q, k, v packed where they can be), rotary tables, and
 * which of ORT's CPU kernels run. Rotary by the kernel everywhere on CPU. GroupQueryAttention for
 * the decode steps at batch 1 only: it copies the whole cache into its output every step, which
 * costs more than its fewer nodes save from batch 2 up (bench/README.md, decode).
 */
function cachedGraphParts(b: GraphBuilder, o: GenerateGraphOptions) {
  const cfg = o.config.decoder;
  const ctx = context(b, o, canPackQkv(cfg, o.weights, o.adapter) ? packQkvWeights(cfg, o.weights) : undefined);
  const tables = ropeTables(b, cfg);
  const cpu = (o.provider ?? 'cpu') === 'cpu';
  // ORT's kernels take the rotary tables' first halves.
  const kernelTables = cpu ? halfTables(b, tables) : undefined;
  const attentionKernel = cpu && o.batch === 1 && gqaHeadSizeFits(headDim(cfg));
  return { ctx, tables, kernelTables, attentionKernel };
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
  const { ctx, tables, kernelTables } = cachedGraphParts(b, o);
  const ids = b.input(SHARED_PREFIX_IO.ids, 'int64', [1, length]);
  const mask = b.constant(tensor('int64', [1, length], new BigInt64Array(length).fill(1n)), 'prefix_mask');
  const { cache } = prefill(ctx, o.config.decoder, embedTokens(ctx, ids), mask, tables, {
    generationStack: true,
    lastOnly: true,
    kernelTables,
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
  const { ctx, tables, kernelTables, attentionKernel } = cachedGraphParts(b, o);
  const { embeds, mask: promptMask } = promptEmbeddings(ctx, o);
  const maxNew = b.input(GENERATE_IO.maxNew, 'int64', []);
  const shared = o.sharedCache && sharedPrefix(b, o.sharedCache, o.config.decoder.layers);
  const {
    hidden,
    cache,
    keyMask: mask,
  } = prefill(ctx, o.config.decoder, embeds, promptMask, tables, {
    generationStack: true,
    lastOnly: true,
    kernelTables,
    shared,
  });
  const first = greedy(b, lmHead(ctx, o.config.decoder, b.op('Squeeze', [hidden, b.i64([1])]))); // [B]
  const firstPositions = b.op('ReduceSum', [mask, b.i64([1])], { keepdims: attr.int(0) }); // [B]: real prompt tokens
  const steps = b.op('Sub', [maxNew, b.scalar('int64', 1)]);
  const loopInputs = { steps, firstToken: first, firstPositions, mask, cache, tables, kernelTables };
  const rest =
    attentionKernel && kernelTables
      ? gqaDecodeLoop(ctx, o.config.decoder, o.batch, o.eosId, { ...loopInputs, kernelTables })
      : decodeLoop(ctx, o.config.decoder, o.batch, o.eosId, loopInputs); // [M'-1, B]
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
  const b = new GraphBuilder(`${o.config.name}_next_token`);
  const ctx = context(b, o);
  const { embeds, mask } = promptEmbeddings(ctx, o);
  const { hidden } = prefill(ctx, o.config.decoder, embeds, mask, ropeTables(b, o.config.decoder));
  b.output(greedy(b, lmHead(ctx, o.config.decoder, lastPosition(b, hidden))), GENERATE_IO.next);
  return b.model({ docString: 'greedy next token without a cache' });
}
