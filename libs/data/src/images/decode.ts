import { CoinError } from '@coin/core';

/** An 8-bit RGB image, rows top to bottom, pixels interleaved: data[(y * width + x) * 3 + c]. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array; // [H, W, 3]
}

/**
 * Decodes JPEG/PNG (anything sharp reads) to 8-bit RGB, as PIL's `Image.open(p).convert('RGB')`
 * does for LLaVA: alpha is dropped (not composited), greyscale is replicated to three channels,
 * 16-bit samples are reduced to 8 bits. EXIF orientation is NOT applied, because PIL's open +
 * convert does not apply it either.
 */
export async function decodeImage(bytes: Uint8Array, source = '<bytes>'): Promise<RgbImage> {
  // Imported here, not on top: loading the native addon takes ~100 ms that `coin --help` need not pay.
  const { default: sharp } = await import('sharp');
  let raw: { data: Buffer; info: { width: number; height: number; channels: number } };
  try {
    raw = await sharp(bytes, { failOn: 'error' })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new CoinError('IMAGE.DECODE_FAILED', 'DATA_LOSS', `cannot decode image ${source}: ${(e as Error).message}`, {
      hint: 'the file must be a complete JPEG or PNG; re-download or regenerate it',
      cause: e,
      details: { source },
    });
  }
  const { width, height, channels } = raw.info;
  return { width, height, data: toRgb(raw.data, width * height, channels) };
}

/** Keeps the first three channels, or replicates a grey channel; alpha is discarded. */
function toRgb(src: Uint8Array, pixels: number, channels: number): Uint8Array {
  if (channels === 3) return new Uint8Array(src.buffer, src.byteOffset, pixels * 3).slice();
  const out = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    const s = p * channels;
    if (channels >= 3) {
      out[p * 3] = src[s];
      out[p * 3 + 1] = src[s + 1];
      out[p * 3 + 2] = src[s + 2];
    } else {
      // 1 (grey) or 2 (grey + alpha) channels.
      out[p * 3] = out[p * 3 + 1] = out[p * 3 + 2] = src[s];
    }
  }
  return out;
}
