import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CoinError } from '@coin/core';
import { SYNTH_LAYOUT } from '../synth/generate.js';
import type { ImageTensorCache } from './cache.js';
import { type ImageMode, preprocessImage } from './preprocess.js';

export interface ImageFolderOptions {
  /** Model image size S: pixels come back as [3, S, S]. */
  readonly size: number;
  readonly mode: ImageMode;
  /** On-disk cache of preprocessed images, shared across processes and runs. */
  readonly disk?: ImageTensorCache;
  /** The error for an image that cannot be read (each caller names its own code and advice). */
  readonly missing: (path: string, cause: unknown) => CoinError;
}

/**
 * The preprocessed images of a prepared data folder (paths relative to its image folder), each
 * decoded once per instance: training's stage images (pad) and a task's test images (its runner's
 * mode) alike.
 */
export class ImageFolder {
  // Promises, so that an image two rows (or a prefetched batch) ask for is decoded once.
  private readonly cache = new Map<string, Promise<Float32Array>>();

  constructor(
    private readonly dataDir: string,
    private readonly options: ImageFolderOptions,
  ) {}

  /** [3, S, S] pixels of an image path relative to the image folder. */
  pixels(image: string): Promise<Float32Array> {
    let t = this.cache.get(image);
    if (!t) {
      t = this.load(image);
      this.cache.set(image, t);
      // A failed load is not kept: the error reaches this caller, a later call tries again.
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
      throw this.options.missing(path, cause);
    }
    const { size, mode, disk } = this.options;
    return disk ? disk.getOrCompute(bytes, { size, mode }, path) : preprocessImage(bytes, { size, mode }, path);
  }
}
