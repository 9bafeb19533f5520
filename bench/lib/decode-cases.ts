/**
 * The decode benchmarks' models, prompts and timing, shared by `decode` (cached against recompute)
 * and `decode-ab` (two cached variants against each other).
 */
import {
  decoderConfig,
  Generator,
  type GeneratorOptions,
  IMAGE_SENTINEL_ID,
  initModel,
  type ModelConfig,
  type PromptBatch,
  PRESETS,
  withVocabAndSeq,
} from '@coin/model';
import type { MatmulCeilingProbe } from '@coin/runtime';
import { setTimeout as sleep } from 'node:timers/promises';

/** New tokens per sample; the end token is never produced (eos = −1), so every run makes exactly this many. */
export const NEW_TOKENS = 63;
const PAUSE_MS = 50;

export interface DecodeCase {
  readonly model: 'tiny' | 'B' | 'coin';
  readonly config: ModelConfig;
  readonly withImages: boolean;
  readonly prompt: (b: number) => number[];
}

/**
 * coin-tiny (prompt = BOS + its 64 image tokens = 65 positions) and the tensor-engine config B
 * shape (d 256, 4 layers, vocab 512, a text prompt of 65).
 */
export const DECODE_CASES: readonly DecodeCase[] = [
  {
    model: 'tiny',
    config: withVocabAndSeq(PRESETS.tiny, 1024, 192),
    withImages: true,
    prompt: () => [1, IMAGE_SENTINEL_ID],
  },
  {
    model: 'B',
    config: {
      ...PRESETS.tiny,
      name: 'config-B',
      decoder: decoderConfig({ vocab: 512, dim: 256, layers: 4, heads: 4, maxSeq: 128 }),
    },
    withImages: false,
    prompt: (b) => Array.from({ length: 65 }, (_, i) => 3 + ((b * 31 + i * 17) % 500)),
  },
];

/** A batch of the case's prompts (images: constant pixels). */
export function promptBatch(c: DecodeCase, batch: number): PromptBatch {
  const s = c.config.vision.imageSize;
  return {
    prompts: Array.from({ length: batch }, (_, b) => c.prompt(b)),
    pixels: c.withImages ? new Float32Array(batch * 3 * s * s).fill(0.1) : undefined,
  };
}

/** A generator for the case (random weights from seed 3), with extra options: the cached one, or the recompute reference. */
export function makeGenerator(
  c: DecodeCase,
  batch: number,
  options: Partial<GeneratorOptions> = {},
  kind: 'cached' | 'reference' = 'cached',
): Promise<Generator> {
  const all: GeneratorOptions = {
    config: c.config,
    weights: initModel(c.config, 3),
    batch,
    withImages: c.withImages,
    eosId: -1,
    padId: 0,
    ...options,
  };
  return kind === 'cached' ? Generator.create(all) : Generator.reference(all);
}

/**
 * Tokens per second of one generation, timed in this generator's own steady state, as a user
 * running only it would see it: the other session's idle intra-op threads first stop spinning
 * (ORT's workers spin for a while after each run, and on 2 cores they would steal this run's time),
 * then an untimed 2-token run brings this session's weights back into the caches the other used.
 */
export async function timedRun(
  g: Generator,
  input: PromptBatch,
  batch: number,
  newTokens = NEW_TOKENS,
): Promise<{ tokS: number; tokens: number[][] }> {
  await sleep(PAUSE_MS);
  await g.generate(input, 2);
  const t0 = performance.now();
  const tokens = await g.generate(input, newTokens);
  const ms = performance.now() - t0;
  if (tokens.some((o) => o.length !== newTokens)) throw new Error(`expected ${newTokens} tokens per sample`);
  return { tokS: (batch * newTokens) / (ms / 1000), tokens };
}

/**
 * GFLOP/s of three probe MatMuls (the 1024³ ceiling probe), once the generators' spinning workers
 * have stopped, as before a timed generation: how fast the shared machine is right now.
 */
export async function probeOnce(probe: MatmulCeilingProbe): Promise<number> {
  await sleep(PAUSE_MS);
  return (await probe.measure(3, 0)).gflops;
}
