import { decodeImage, type RgbImage } from './decode.js';
import { resizeBicubic } from './resize.js';

/** CLIP ViT-L/14-336's processor constants (LLaVA-1.5's vision tower). */
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

/**
 * `pad`: LLaVA-1.5's `image_aspect_ratio: pad` (expand2square with the mean colour, then the CLIP
 * processor). `crop`: the CLIP processor alone (resize shortest side, centre crop), as CoIN's
 * generic and ScienceQA evaluation runners do (docs/protocol.md#evaluation-runner).
 */
export type ImageMode = 'pad' | 'crop';

export interface PreprocessParams {
  /** Output side S (336 for LLaVA-1.5; the tiny model uses less). */
  readonly size: number;
  readonly mode: ImageMode;
  readonly mean?: readonly [number, number, number];
  readonly std?: readonly [number, number, number];
}

/** LLaVA's fill colour: `tuple(int(x * 255) for x in image_mean)`, i.e. truncated, (122, 116, 104) for CLIP. */
export function padColour(mean: readonly number[] = CLIP_MEAN): [number, number, number] {
  return [Math.trunc(mean[0] * 255), Math.trunc(mean[1] * 255), Math.trunc(mean[2] * 255)];
}

/** LLaVA's expand2square: the image centred on a square of side max(W, H) (offset floored). */
export function expandToSquare(img: RgbImage, fill: readonly [number, number, number]): RgbImage {
  const { width, height } = img;
  if (width === height) return img;
  const side = Math.max(width, height);
  const out = new Uint8Array(side * side * 3);
  const [r, g, b] = fill;
  for (let i = 0; i < out.length; i += 3) {
    out[i] = r;
    out[i + 1] = g;
    out[i + 2] = b;
  }
  const dx = Math.floor((side - width) / 2);
  const dy = Math.floor((side - height) / 2);
  for (let y = 0; y < height; y++) {
    out.set(img.data.subarray(y * width * 3, (y + 1) * width * 3), ((y + dy) * side + dx) * 3);
  }
  return { width: side, height: side, data: out };
}

/**
 * CLIPImageProcessor's resize: shortest side to `size`, the other side `int(size * long / short)`
 * (truncated, as HF's get_resize_output_image_size does).
 */
function resizeShortestSide(img: RgbImage, size: number): RgbImage {
  const { width, height } = img;
  if (width <= height) return resizeBicubic(img, size, Math.trunc((size * height) / width));
  return resizeBicubic(img, Math.trunc((size * width) / height), size);
}

/** HF's center_crop: top = (H - S) // 2, left = (W - S) // 2. Assumes both sides >= S. */
export function centreCrop(img: RgbImage, size: number): RgbImage {
  const top = Math.floor((img.height - size) / 2);
  const left = Math.floor((img.width - size) / 2);
  if (top === 0 && left === 0 && img.width === size && img.height === size) return img;
  const out = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    const src = ((y + top) * img.width + left) * 3;
    out.set(img.data.subarray(src, src + size * 3), y * size * 3);
  }
  return { width: size, height: size, data: out };
}

/** Rescale by 1/255 and normalise per channel; HWC uint8 → CHW float32. */
export function normalise(img: RgbImage, mean: readonly number[], std: readonly number[]): Float32Array {
  const { width, height, data } = img;
  const plane = width * height;
  const out = new Float32Array(3 * plane); // [3, H, W]
  for (let c = 0; c < 3; c++) {
    const m = mean[c];
    const s = std[c];
    for (let p = 0; p < plane; p++) out[c * plane + p] = (data[p * 3 + c] / 255 - m) / s;
  }
  return out;
}

/** The whole pipeline on a decoded image: [3, S, S] float32. */
export function preprocessRgb(img: RgbImage, params: PreprocessParams): Float32Array {
  const mean = params.mean ?? CLIP_MEAN;
  const std = params.std ?? CLIP_STD;
  if (!Number.isInteger(params.size) || params.size < 1) throw new RangeError(`preprocess: bad size ${params.size}`);
  const squared = params.mode === 'pad' ? expandToSquare(img, padColour(mean)) : img;
  const cropped = centreCrop(resizeShortestSide(squared, params.size), params.size);
  return normalise(cropped, mean, std);
}

/** Decodes and preprocesses encoded image bytes: [3, S, S] float32. */
export async function preprocessImage(
  bytes: Uint8Array,
  params: PreprocessParams,
  source?: string,
): Promise<Float32Array> {
  return preprocessRgb(await decodeImage(bytes, source), params);
}
