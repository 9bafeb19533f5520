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

export interface PromptBatch {
  /** Token ids per sample; IMAGE_SENTINEL_ID marks where the image's tokens go. */
  readonly prompts: readonly (readonly number[])[];
  /** [B, 3, S, S] pixels for graphs with images (zeros for text-only samples). */
  readonly pixels?: Float32Array;
}

/**
 * Left-pads a batch so every prompt ends at the last position, expanding each image sentinel into
 * `imageTokens` positions that take the image features.
 */
function leftPad(
  batch: PromptBatch,
  imageTokens: number,
  padId: number,
  withImages: boolean,
  imageSize = 0,
): Record<string, HostTensor> {
  const B = batch.prompts.length;
  const lengths = batch.prompts.map((p) => p.length + (p.includes(IMAGE_SENTINEL_ID) ? imageTokens - 1 : 0));
  const T = Math.max(...lengths);
  const ids = new BigInt64Array(B * T).fill(BigInt(padId));
  const mask = new BigInt64Array(B * T);
  const imageIndex = new BigInt64Array(B * T);
  const imageMask = new Uint8Array(B * T);
  batch.prompts.forEach((prompt, b) => {
    let t = T - lengths[b];
    for (const id of prompt) {
      if (id === IMAGE_SENTINEL_ID) {
        if (!withImages)
          throw new CoinError(
            'GENERATE.NO_IMAGE_INPUT',
            'INVALID_ARGUMENT',
            `prompt ${b} has an image but the graph takes text only`,
          );
        for (let k = 0; k < imageTokens; k++, t++) {
          mask[b * T + t] = 1n;
          imageMask[b * T + t] = 1;
          imageIndex[b * T + t] = BigInt(b * imageTokens + k);
        }
        continue;
      }
      ids[b * T + t] = BigInt(id);
      mask[b * T + t] = 1n;
      t++;
    }
  });
  const feeds: Record<string, HostTensor> = {
    [VLM_INPUTS.ids]: { dtype: 'int64', dims: [B, T], data: ids },
    [VLM_INPUTS.attention]: { dtype: 'int64', dims: [B, T], data: mask },
  };
  if (withImages) {
    const pixels = batch.pixels ?? new Float32Array(B * 3 * imageSize * imageSize);
    feeds[VLM_INPUTS.pixels] = { dtype: 'float32', dims: [B, 3, imageSize, imageSize], data: pixels };
    feeds[VLM_INPUTS.imageIndex] = { dtype: 'int64', dims: [B, T], data: imageIndex };
    feeds[VLM_INPUTS.imageMask] = { dtype: 'bool', dims: [B, T], data: imageMask };
  }
  return feeds;
}

/**
 * Refuses what ONNX Runtime would only report as a failed kernel: empty prompts, ids outside the
 * vocabulary, more than one image per prompt, pixels of the wrong size.
 */
function checkPrompts(batch: PromptBatch, vocab: number, pixelsPerImage: number): void {
  const bad = (message: string, hint?: string) =>
    new CoinError('GENERATE.BAD_PROMPT', 'INVALID_ARGUMENT', message, { hint });
  batch.prompts.forEach((prompt, b) => {
    if (prompt.length === 0) throw bad(`prompt ${b} is empty`, 'every prompt needs at least one token (BOS)');
    let images = 0;
    prompt.forEach((id, i) => {
      if (id === IMAGE_SENTINEL_ID) images++;
      else if (!Number.isInteger(id) || id < 0 || id >= vocab)
        throw bad(
          `prompt ${b}, position ${i}: token id ${id} is outside the vocabulary [0, ${vocab})`,
          "encode prompts with the model's own tokenizer",
        );
    });
    if (images > 1) throw bad(`prompt ${b} has ${images} images; a prompt takes at most one`);
    if (images && pixelsPerImage && !batch.pixels)
      throw bad(
        `prompt ${b} has an image but no pixels were given`,
        "pass the batch's pixels [B, 3, S, S] (zeros for text-only samples)",
      );
  });
  if (pixelsPerImage && batch.pixels && batch.pixels.length !== batch.prompts.length * pixelsPerImage) {
    throw bad(
      `pixels hold ${batch.pixels.length} values; batch ${batch.prompts.length} × ${pixelsPerImage} (3 × size × size) expected`,
    );
  }
}

/** Cuts each sample's tokens at the first end token (excluded), as HF generate's output is then decoded. */
function untilEos(columns: BigInt64Array, steps: number, batch: number, eosId: number): number[][] {
  return Array.from({ length: batch }, (_, b) => {
    const out: number[] = [];
    for (let s = 0; s < steps; s++) {
      const tok = Number(columns[s * batch + b]);
      if (tok === eosId) break;
      out.push(tok);
    }
    return out;
  });
}

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

/** Every prompt must start with the shared prefix and go on past it. */
function checkStartsWith(batch: PromptBatch, prefix: readonly number[]): void {
  const bad = (message: string) =>
    new CoinError('GENERATE.BAD_PROMPT', 'INVALID_ARGUMENT', message, {
      hint: 'build every prompt with the same leading tokens, or create the generator without sharedPrefix',
    });
  batch.prompts.forEach((prompt, b) => {
    const differs = prefix.findIndex((id, i) => prompt[i] !== id);
    if (prompt.length < prefix.length && differs === prompt.length)
      throw bad(
        `prompt ${b} holds ${prompt.length} tokens and ends inside the generator's ${prefix.length}-token shared prefix`,
      );
    if (differs >= 0)
      throw bad(`prompt ${b} does not start with the generator's shared prefix: they differ at position ${differs}`);
    if (prompt.length === prefix.length)
      throw bad(`prompt ${b} ends where the shared prefix ends; it needs at least one token after it`);
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

  /** The answers as CoIN's runners write them: new tokens decoded, specials skipped, stripped. */
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

/** Appends one token per sample (a new last position, real, not an image). */
function appendColumn(feeds: Record<string, HostTensor>, tokens: BigInt64Array): Record<string, HostTensor> {
  const [B, T] = feeds[VLM_INPUTS.ids].dims as number[];
  const grow = (name: string, fill: (b: number) => bigint | number, Kind: typeof BigInt64Array | typeof Uint8Array) => {
    const src = feeds[name];
    if (!src) return undefined;
    const data = new Kind(B * (T + 1));
    for (let b = 0; b < B; b++) {
      (data as Uint8Array).set(src.data.subarray(b * T, (b + 1) * T) as Uint8Array, b * (T + 1));
      (data as unknown as Array<bigint | number>)[b * (T + 1) + T] = fill(b);
    }
    return { dtype: src.dtype, dims: [B, T + 1], data } as HostTensor;
  };
  const out: Record<string, HostTensor> = { ...feeds };
  out[VLM_INPUTS.ids] = grow(VLM_INPUTS.ids, (b) => tokens[b], BigInt64Array)!;
  out[VLM_INPUTS.attention] = grow(VLM_INPUTS.attention, () => 1n, BigInt64Array)!;
  const index = grow(VLM_INPUTS.imageIndex, () => 0n, BigInt64Array);
  const mask = grow(VLM_INPUTS.imageMask, () => 0, Uint8Array);
  if (index && mask) {
    out[VLM_INPUTS.imageIndex] = index;
    out[VLM_INPUTS.imageMask] = mask;
  }
  return out;
}
