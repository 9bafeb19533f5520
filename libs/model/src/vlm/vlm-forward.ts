import type { Dim, GraphBuilder, Value } from '@coin/onnx';
import type { ModelConfig } from '../network/config.js';
import { decoderForward, embedTokens } from '../network/decoder.js';
import type { ForwardContext } from '../network/linear.js';
import { projectorForward, visionForward } from '../network/vision.js';
import { VLM_INPUTS } from './vlm-batch.js';

export interface VlmInputs {
  readonly pixels: Value;
  readonly ids: Value;
  readonly attention: Value;
  readonly imageIndex: Value;
  readonly imageMask: Value;
}

/** Declares the VLM's batch inputs (all but labels) for a [batch, seq] bucket (seq named: set at run time). */
export function declareVlmInputs(b: GraphBuilder, config: ModelConfig, batch: number, seq: Dim): VlmInputs {
  const s = config.vision.imageSize;
  return {
    pixels: b.input(VLM_INPUTS.pixels, 'float32', [batch, 3, s, s]),
    ids: b.input(VLM_INPUTS.ids, 'int64', [batch, seq]),
    attention: b.input(VLM_INPUTS.attention, 'int64', [batch, seq]),
    imageIndex: b.input(VLM_INPUTS.imageIndex, 'int64', [batch, seq]),
    imageMask: b.input(VLM_INPUTS.imageMask, 'bool', [batch, seq]),
  };
}

/**
 * Input embeddings with the projected image features spliced in: [B, T, C]. Positions where
 * image_mask is set take row image_index of the flattened [B·N, C] features, as LLaVA replaces
 * the −200 sentinel with the visual tokens.
 */
export function vlmEmbeddings(ctx: ForwardContext, config: ModelConfig, x: VlmInputs): Value {
  const { b } = ctx;
  const features = projectorForward(ctx, visionForward(ctx, config.vision, x.pixels)); // [B, N, C]
  const flat = b.op('Reshape', [features, b.i64([-1, config.decoder.dim])]); // [B·N, C]
  const spliced = b.op('Gather', [flat, x.imageIndex]); // [B, T, C]
  const tokens = embedTokens(ctx, x.ids); // [B, T, C]
  return b.op('Where', [b.op('Unsqueeze', [x.imageMask, b.i64([-1])]), spliced, tokens]);
}

/** Final hidden states [B, T, C] of the whole vision-language model. */
export function vlmHidden(ctx: ForwardContext, config: ModelConfig, x: VlmInputs): Value {
  return decoderForward(ctx, config.decoder, vlmEmbeddings(ctx, config, x), { keyPadding: x.attention });
}
