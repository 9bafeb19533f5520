import { type ModelConfig, decoderConfig } from './config.js';

/**
 * Built-in coin models (LLaVA-1.5's architecture family at laptop scale):
 * micro for tests (trains in seconds), tiny the default benchmark model, small for longer runs.
 * `vocab` is a target: the trained tokenizer decides the final size. `maxSeq` holds the longest
 * CoIN-Synth training sample (text + image tokens) under the preset's own tokenizer with room to
 * spare (bench/README.md, "Sequence lengths": micro's 384-token vocabulary makes ScienceQA 223
 * positions long, tiny's and small's at most 161).
 */
export const PRESETS: Readonly<Record<'micro' | 'tiny' | 'small', ModelConfig>> = {
  micro: {
    name: 'coin-micro',
    decoder: decoderConfig({ vocab: 384, dim: 48, layers: 2, heads: 2, maxSeq: 256 }),
    vision: { imageSize: 32, patch: 8, dim: 32, layers: 2, heads: 2, ffn: 64, selectLayer: -2, normEps: 1e-5 },
    projector: 'mlp2x_gelu',
  },
  tiny: {
    name: 'coin-tiny',
    decoder: decoderConfig({ vocab: 1024, dim: 128, layers: 4, heads: 4, maxSeq: 192 }),
    vision: { imageSize: 64, patch: 8, dim: 96, layers: 3, heads: 4, ffn: 192, selectLayer: -2, normEps: 1e-5 },
    projector: 'mlp2x_gelu',
  },
  small: {
    name: 'coin-small',
    decoder: decoderConfig({ vocab: 2048, dim: 256, layers: 6, heads: 8, maxSeq: 320 }),
    vision: { imageSize: 96, patch: 12, dim: 128, layers: 4, heads: 4, ffn: 256, selectLayer: -2, normEps: 1e-5 },
    projector: 'mlp2x_gelu',
  },
};

/** The preset with the tokenizer's vocabulary size (and optionally another longest sequence). */
export function withVocabAndSeq(config: ModelConfig, vocab: number, maxSeq = config.decoder.maxSeq): ModelConfig {
  return { ...config, decoder: { ...config.decoder, vocab, maxSeq } };
}
