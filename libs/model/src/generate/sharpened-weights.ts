import type { TensorData } from '@coin/onnx';
import type { ModelConfig } from '../network/config.js';
import { initModel } from '../network/init.js';

/**
 * Random weights for generation tests, with q and k scaled up 25×: attention at the init's std
 * 0.02 is almost uniform, which would hide errors in positions, masks or the cache; sharpened, any
 * such error changes the argmax somewhere.
 */
export function sharpenedWeights(config: ModelConfig, seed: number): Map<string, TensorData> {
  const weights = initModel(config, seed);
  for (const [name, t] of weights)
    if (/attn\.(q|k)\.weight$/.test(name)) (t.data as Float32Array).forEach((v, i, a) => (a[i] = v * 25));
  return weights;
}
