import type { RgbImage } from './decode.js';

/**
 * Bicubic resampling with the behaviour of PIL's `Image.resize(size, Image.BICUBIC)`, which is
 * what CLIP's image processor calls: Keys kernel with a = -0.5, the kernel widened by the scale
 * factor when shrinking (antialiasing), coefficients quantised to fixed point (22 fraction bits),
 * the horizontal pass first, each pass rounded and clamped to 8 bits.
 */
const PRECISION_BITS = 32 - 8 - 2;
const BICUBIC_SUPPORT = 2;

function bicubic(x: number): number {
  const a = -0.5;
  const t = Math.abs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

interface Coefficients {
  readonly kernelSize: number;
  readonly bounds: Int32Array; // [outSize, 2]: first input index, number of taps
  readonly weights: Int32Array; // [outSize, kernelSize], fixed point
}

function precomputeCoefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = BICUBIC_SUPPORT * filterScale;
  const kernelSize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * kernelSize);
  const k = new Float64Array(kernelSize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const count = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let total = 0;
    for (let x = 0; x < count; x++) {
      const w = bicubic((x + xmin - center + 0.5) / filterScale);
      k[x] = w;
      total += w;
    }
    for (let x = 0; x < count; x++) {
      const w = total === 0 ? k[x] : k[x] / total;
      weights[xx * kernelSize + x] = Math.trunc(w * (1 << PRECISION_BITS) + (w < 0 ? -0.5 : 0.5));
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = count;
  }
  return { kernelSize, bounds, weights };
}

function clip8(acc: number): number {
  const v = Math.floor(acc / (1 << PRECISION_BITS));
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

function resizeHorizontal(img: RgbImage, outW: number): RgbImage {
  const { width, height, data } = img;
  const { kernelSize, bounds, weights } = precomputeCoefficients(width, outW);
  const out = new Uint8Array(outW * height * 3);
  const half = 1 << (PRECISION_BITS - 1);
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    for (let xx = 0; xx < outW; xx++) {
      const xmin = bounds[xx * 2];
      const count = bounds[xx * 2 + 1];
      let r = half;
      let g = half;
      let b = half;
      for (let x = 0; x < count; x++) {
        const w = weights[xx * kernelSize + x];
        const s = row + (xmin + x) * 3;
        r += data[s] * w;
        g += data[s + 1] * w;
        b += data[s + 2] * w;
      }
      const d = (y * outW + xx) * 3;
      out[d] = clip8(r);
      out[d + 1] = clip8(g);
      out[d + 2] = clip8(b);
    }
  }
  return { width: outW, height, data: out };
}

function resizeVertical(img: RgbImage, outH: number): RgbImage {
  const { width, height, data } = img;
  const { kernelSize, bounds, weights } = precomputeCoefficients(height, outH);
  const out = new Uint8Array(width * outH * 3);
  const half = 1 << (PRECISION_BITS - 1);
  for (let yy = 0; yy < outH; yy++) {
    const ymin = bounds[yy * 2];
    const count = bounds[yy * 2 + 1];
    for (let x = 0; x < width; x++) {
      let r = half;
      let g = half;
      let b = half;
      for (let y = 0; y < count; y++) {
        const w = weights[yy * kernelSize + y];
        const s = ((ymin + y) * width + x) * 3;
        r += data[s] * w;
        g += data[s + 1] * w;
        b += data[s + 2] * w;
      }
      const d = (yy * width + x) * 3;
      out[d] = clip8(r);
      out[d + 1] = clip8(g);
      out[d + 2] = clip8(b);
    }
  }
  return { width, height: outH, data: out };
}

/** Resizes to exactly outW × outH (PIL bicubic semantics; a no-op pass is skipped as PIL does). */
export function resizeBicubic(img: RgbImage, outW: number, outH: number): RgbImage {
  if (!Number.isInteger(outW) || !Number.isInteger(outH) || outW < 1 || outH < 1) {
    throw new RangeError(`resizeBicubic: bad output size ${outW}x${outH}`);
  }
  let cur = img;
  if (outW !== cur.width) cur = resizeHorizontal(cur, outW);
  if (outH !== cur.height) cur = resizeVertical(cur, outH);
  return cur;
}
