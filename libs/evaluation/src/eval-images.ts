import { CoinError } from '@coin/core';
import { ImageFolder, type ImageMode, type ImageTensorCache } from '@coin/data';

/**
 * A task's test images, preprocessed as its runner does (pad to square, or resize + centre crop;
 * docs/protocol.md#evaluation-runner) at the model's image size, each decoded once. With an
 * on-disk cache, an image preprocessed by an earlier evaluation (the same task after an earlier
 * stage) is read back instead of decoded again.
 */
export class EvalImages extends ImageFolder {
  constructor(dataDir: string, size: number, mode: ImageMode, disk?: ImageTensorCache) {
    super(dataDir, {
      size,
      mode,
      ...(disk ? { disk } : {}),
      missing: (path, cause) =>
        new CoinError('EVAL.IMAGE_NOT_FOUND', 'NOT_FOUND', `cannot read test image ${path}`, {
          cause,
          hint: 'the data folder is incomplete: prepare it again with `coin prep`',
        }),
    });
  }
}
