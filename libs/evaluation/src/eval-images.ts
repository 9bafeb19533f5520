import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoinError } from '@coin/core';
import { type ImageMode, type ImageTensorCache, preprocessImage, SYNTH_LAYOUT } from '@coin/data';

/**
 * A task's test images, preprocessed as its runner does (pad to square, or resize + centre crop;
 * docs/protocol.md#evaluation-runner) at the model's image size, each decoded once. With an
 * on-disk cache, an image preprocessed by an earlier evaluation (the same task after an earlier
 * stage) is read back instead of decoded again.
 */
export class EvalImages {
  // Promises, so that an image two rows (or a prefetched batch) ask for is decoded once.
  private readonly cache = new Map<string, Promise<Float32Array>>();

  constructor(
    private readonly dataDir: string,
    private readonly size: number,
    private readonly mode: ImageMode,
    private readonly disk?: ImageTensorCache,
  ) {}

  /** [3, S, S] pixels of an image path relative to the image folder. */
  pixels(image: string): Promise<Float32Array> {
    let t = this.cache.get(image);
    if (!t) {
      t = this.load(image);
      this.cache.set(image, t);
      t.catch(() => this.cache.delete(image));
    }
    return t;
  }

  private async load(image: string): Promise<Float32Array> {
    const path = join(this.dataDir, SYNTH_LAYOUT.images, image);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (cause) {
      throw new CoinError('EVAL.IMAGE_NOT_FOUND', 'NOT_FOUND', `cannot read test image ${path}`, {
        cause,
        hint: 'the data folder is incomplete: prepare it again with `coin prep`',
      });
    }
    const params = { size: this.size, mode: this.mode };
    return this.disk ? this.disk.getOrCompute(bytes, params, path) : preprocessImage(bytes, params, path);
  }
}
