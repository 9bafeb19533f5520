import { CoinError } from '@coin/core';
import { serializeModel, tensor } from '@coin/onnx';
import {
  createSession,
  type ExecutionProvider,
  type HostTensor,
  type RuntimeSession,
  type SessionOptions,
} from '@coin/runtime';
import { postprocessGeneration } from '../prompt/eval-prompt.js';
import { IMAGE_SENTINEL_ID } from '../prompt/image-tokens.js';
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import { imageTokens } from '../network/config.js';
import { VLM_INPUTS } from '../vlm/vlm-batch.js';
import {
  buildGenerateGraph,
  buildNextTokenGraph,
  buildSharedPrefixGraph,
  GENERATE_IO,
  type GenerateGraphOptions,
  SHARED_PREFIX_IO,
  type SharedPrefixCache,
} from './generate-graph.js';
import { appendColumn, checkPrompts, checkStartsWith, leftPad, type PromptBatch, untilEos } from './prompt-feeds.js';

export type { PromptBatch } from './prompt-feeds.js';

export interface GeneratorOptions extends Omit<GenerateGraphOptions, 'sharedCache' | 'provider'> {
  readonly padId: number;
  readonly session?: SessionOptions;
  /**
   * The provider the cached graph is built for (GenerateGraphOptions): by default the session's.
   * 'cuda' on a CPU session runs the CUDA form of the graph on the CPU (tests and benchmarks do).
   */
  readonly provider?: ExecutionProvider;
  /**
   * Token ids every prompt starts with (in CoIN, BOS and the vicuna system text): their keys and
   * values are computed once, when the generator is created, and each generation runs its prefill
   * over what follows them only. Every prompt must start with these ids and go on past them.
   * The recompute baseline checks prompts the same way but runs them whole. Tokens are those of
   * whole-prompt decoding: in the tests identical, in general up to float rounding (a batch's
   * padding already moves last bits of the prefill, so a near-tied argmax could flip either way).
   */
  readonly sharedPrefix?: readonly number[];
}

/** Refuses a batch size, pad id or end id the graphs could only fail on later, or unclearly. */
function checkIds(o: GeneratorOptions): void {
  const bad = (message: string, hint: string) =>
    new CoinError('GENERATE.BAD_OPTIONS', 'INVALID_ARGUMENT', message, { hint });
  const vocab = o.config.decoder.vocab;
  if (!Number.isInteger(o.batch) || o.batch < 1)
    throw bad(`batch must be a positive whole number, got ${o.batch}`, 'build one generator per batch size');
  if (!Number.isInteger(o.padId) || o.padId < 0 || o.padId >= vocab)
    throw bad(
      `padId ${o.padId} is not a token id of this model's vocabulary [0, ${vocab})`,
      "use the tokenizer's pad id",
    );
  if (!Number.isInteger(o.eosId))
    throw bad(`eosId must be a whole number, got ${o.eosId}`, "use the tokenizer's end id (or -1 to never stop early)");
}

/** Refuses a shared prefix the model cannot take: empty, an image, ids outside the vocabulary, no room after it. */
function checkSharedPrefix(prefix: readonly number[], vocab: number, maxSeq: number): void {
  const bad = (message: string) =>
    new CoinError('GENERATE.BAD_OPTIONS', 'INVALID_ARGUMENT', message, {
      hint: 'pass the token ids every prompt starts with (e.g. BOS and the system text), or leave sharedPrefix unset',
    });
  if (prefix.length === 0) throw bad('sharedPrefix is empty');
  if (prefix.length + 2 > maxSeq)
    throw bad(
      `sharedPrefix holds ${prefix.length} tokens; the model takes ${maxSeq} positions in all, and a generation needs at least a prompt token and a new one after it`,
    );
  prefix.forEach((id, i) => {
    if (id === IMAGE_SENTINEL_ID) throw bad(`sharedPrefix position ${i} is an image; the shared prefix must be text`);
    if (!Number.isInteger(id) || id < 0 || id >= vocab)
      throw bad(`sharedPrefix position ${i}: token id ${id} is outside the vocabulary [0, ${vocab})`);
  });
}

/** Runs the shared-prefix graph once: the prefix's keys and values, per layer. */
async function computeSharedPrefix(
  o: GenerateGraphOptions,
  prefix: readonly number[],
  session?: SessionOptions,
): Promise<SharedPrefixCache> {
  const runner = await createSession(serializeModel(buildSharedPrefixGraph(o, prefix.length)), session);
  try {
    const out = await runner.run({
      [SHARED_PREFIX_IO.ids]: { dtype: 'int64', dims: [1, prefix.length], data: BigInt64Array.from(prefix, BigInt) },
    });
    const data = (name: string) => tensor('float32', out[name].dims as number[], out[name].data as Float32Array);
    return {
      length: prefix.length,
      layers: Array.from({ length: o.config.decoder.layers }, (_, l) => ({
        k: data(SHARED_PREFIX_IO.key(l)),
        v: data(SHARED_PREFIX_IO.value(l)),
      })),
    };
  } finally {
    await runner.release();
  }
}

/** The options checked, with the generator's own copy of the shared prefix. */
function checkedOptions(options: GeneratorOptions): GeneratorOptions {
  checkIds(options);
  // A copy: the prefix's keys and values are computed from these ids, and prompts are checked against them later.
  const sharedPrefix = options.sharedPrefix && Object.freeze([...options.sharedPrefix]);
  if (sharedPrefix !== undefined)
    checkSharedPrefix(sharedPrefix, options.config.decoder.vocab, options.config.decoder.maxSeq);
  return { ...options, sharedPrefix };
}

/**
 * Greedy generation for a fixed batch size: `create` builds the cached generator (prefill and
 * decode Loops, one ORT run per generation), `reference` the recompute one (a full forward per
 * new token, driven from the host), the plain no-cache baseline that the cached graph's tokens
 * are tested against.
 */
export class Generator {
  /** Positions an image sentinel expands to: the vision config's patch count. */
  private readonly imageTokens: number;

  private constructor(
    private readonly options: GeneratorOptions,
    private readonly session: RuntimeSession,
    private readonly cached: boolean,
  ) {
    this.imageTokens = imageTokens(options.config.vision);
  }

  static async create(options: GeneratorOptions): Promise<Generator> {
    const o = checkedOptions(options);
    const sessionProvider = o.session?.executionProvider ?? 'cpu';
    if (sessionProvider === 'cuda' && o.provider === 'cpu') {
      throw new CoinError(
        'GENERATE.BAD_OPTIONS',
        'INVALID_ARGUMENT',
        "a graph built for provider 'cpu' uses ORT's CPU kernels, which do not run on the CUDA provider",
        { hint: 'leave provider unset: it follows the session' },
      );
    }
    const graphOptions = { ...o, provider: o.provider ?? sessionProvider };
    const sharedCache = o.sharedPrefix && (await computeSharedPrefix(graphOptions, o.sharedPrefix, o.session));
    const model = buildGenerateGraph({ ...graphOptions, sharedCache });
    return new Generator(o, await createSession(serializeModel(model), o.session), true);
  }

  /** The recompute reference: whole prompts (a shared prefix is only checked), one full forward per new token. */
  static async reference(options: GeneratorOptions): Promise<Generator> {
    const o = checkedOptions(options);
    return new Generator(o, await createSession(serializeModel(buildNextTokenGraph(o)), o.session), false);
  }

  /** New tokens per prompt, without the end token. */
  async generate(batch: PromptBatch, maxNewTokens: number): Promise<number[][]> {
    const o = this.options;
    if (batch.prompts.length !== o.batch) {
      throw new CoinError(
        'GENERATE.BATCH_SIZE',
        'INVALID_ARGUMENT',
        `this generator was built for batch ${o.batch}, got ${batch.prompts.length} prompts`,
        { hint: 'pad the batch with dummy prompts or build a generator per batch size' },
      );
    }
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1)
      throw new CoinError(
        'GENERATE.BAD_LENGTH',
        'INVALID_ARGUMENT',
        `max new tokens must be a positive integer, got ${maxNewTokens}`,
      );
    checkPrompts(batch, o.config.decoder.vocab, o.withImages ? 3 * o.config.vision.imageSize ** 2 : 0);
    const shared = o.sharedPrefix ?? [];
    if (shared.length) checkStartsWith(batch, shared);
    // The cached graph holds the shared prefix already and takes what follows it.
    const skip = this.cached ? shared.length : 0;
    const fed = skip ? { ...batch, prompts: batch.prompts.map((p) => p.slice(skip)) } : batch;
    const feeds = leftPad(fed, this.imageTokens, o.padId, o.withImages, o.config.vision.imageSize);
    const longest = skip + (feeds[VLM_INPUTS.ids].dims[1] as number) + maxNewTokens;
    if (longest > o.config.decoder.maxSeq) {
      throw new CoinError(
        'GENERATE.TOO_LONG',
        'INVALID_ARGUMENT',
        `prompt + ${maxNewTokens} new tokens = ${longest} positions, over the model's ${o.config.decoder.maxSeq}`,
      );
    }
    if (this.cached) {
      const out = await this.session.run({
        ...feeds,
        [GENERATE_IO.maxNew]: { dtype: 'int64', dims: [], data: BigInt64Array.of(BigInt(maxNewTokens)) },
      });
      const tokens = out[GENERATE_IO.tokens];
      return untilEos(tokens.data as BigInt64Array, tokens.dims[0], o.batch, o.eosId);
    }
    return this.recompute(feeds, maxNewTokens);
  }

  /** The answers as CoIN's runners write them (docs/protocol.md#evaluation-runner): new tokens decoded, specials skipped, stripped. */
  async generateText(batch: PromptBatch, maxNewTokens: number, tokenizer: Tokenizer): Promise<string[]> {
    return (await this.generate(batch, maxNewTokens)).map((ids) => postprocessGeneration(tokenizer, ids));
  }

  private async recompute(feeds: Record<string, HostTensor>, maxNewTokens: number): Promise<number[][]> {
    const o = this.options;
    const B = o.batch;
    const columns = new BigInt64Array(maxNewTokens * B);
    const finished = new Array<boolean>(B).fill(false);
    let current = feeds;
    let steps = 0;
    for (; steps < maxNewTokens && !finished.every(Boolean); steps++) {
      const next = (await this.session.run(current))[GENERATE_IO.next].data as BigInt64Array;
      for (let b = 0; b < B; b++) {
        const tok = finished[b] ? BigInt(o.eosId) : next[b];
        columns[steps * B + b] = tok;
        if (Number(tok) === o.eosId) finished[b] = true;
      }
      current = appendColumn(current, columns.subarray(steps * B, (steps + 1) * B));
    }
    return untilEos(columns, steps, B, o.eosId);
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
