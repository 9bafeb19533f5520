import { CoinError } from '@coin/core';

/** LLaMA-style decoder hyper-parameters. */
export interface DecoderConfig {
  readonly vocab: number;
  readonly dim: number; // model width C
  readonly layers: number;
  readonly heads: number; // head dim = dim / heads
  readonly ffn: number; // SwiGLU hidden width
  readonly maxSeq: number; // longest sequence (rotary table size)
  readonly tiedEmbeddings: boolean; // lm head = token embedding transposed
  readonly normEps: number; // RMSNorm epsilon
  readonly ropeBase: number; // rotary θ base
}

/** ViT-style image encoder (LLaVA uses CLIP ViT-L/14; features from the second-to-last layer). */
export interface VisionConfig {
  readonly imageSize: number; // square input, pixels
  readonly patch: number; // patch side; tokens = (imageSize / patch)²
  readonly dim: number;
  readonly layers: number;
  readonly heads: number;
  readonly ffn: number; // GELU MLP hidden width
  readonly selectLayer: number; // −2 = output of the second-to-last block, as LLaVA's mm_vision_select_layer
  readonly normEps: number; // LayerNorm epsilon
}

export interface ModelConfig {
  readonly name: string;
  readonly decoder: DecoderConfig;
  readonly vision: VisionConfig;
  /** LLaVA's `mlp2x_gelu`: Linear(vision.dim → dim) → GELU → Linear(dim → dim). */
  readonly projector: 'mlp2x_gelu';
}

export function headDim(c: DecoderConfig | VisionConfig): number {
  if (c.dim % c.heads !== 0)
    throw new CoinError('MODEL.BAD_CONFIG', 'INVALID_ARGUMENT', `dim ${c.dim} is not divisible by heads ${c.heads}`, {
      hint: 'choose a head count that divides the width',
    });
  return c.dim / c.heads;
}

export function imageTokens(v: VisionConfig): number {
  if (v.imageSize % v.patch !== 0)
    throw new CoinError(
      'MODEL.BAD_CONFIG',
      'INVALID_ARGUMENT',
      `image size ${v.imageSize} is not a multiple of patch ${v.patch}`,
      { hint: 'choose an image size that is a whole number of patches' },
    );
  return (v.imageSize / v.patch) ** 2;
}

/** A decoder with the usual proportions: SwiGLU width ≈ 8/3·dim rounded up to a multiple of 16. */
export function decoderConfig(
  partial: Partial<DecoderConfig> & Pick<DecoderConfig, 'vocab' | 'dim' | 'layers' | 'heads' | 'maxSeq'>,
): DecoderConfig {
  return {
    ffn: Math.ceil((partial.dim * 8) / 3 / 16) * 16,
    tiedEmbeddings: false,
    normEps: 1e-6,
    ropeBase: 10000,
    ...partial,
  };
}
