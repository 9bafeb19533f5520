/**
 * Which execution providers this onnxruntime-node install can actually use.
 *
 * The npm package bundles only the CPU provider; the CUDA provider libraries are downloaded by its
 * install script (skipped here) and sit next to the native binding when present. We check for them
 * before creating a session because a missing provider otherwise surfaces as an opaque native error,
 * and we never fall back to CPU silently: a job asked to run on a GPU must not crawl on a CPU.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CoinError } from '@coin/core';
import { listSupportedBackends } from 'onnxruntime-node';

export type ExecutionProvider = 'cpu' | 'cuda';

/** Libraries the CUDA provider needs next to the binding (Linux names). */
export const CUDA_PROVIDER_LIBRARIES = ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'];

export const CUDA_INSTALL_HINT =
  'on a GPU image with CUDA 12 and cuDNN 9, install the CUDA provider: ' +
  '`ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install`, ' +
  "or use executionProvider 'cpu'";

/** The folder of onnxruntime_binding.node (and of any provider libraries installed beside it). */
export function ortBinaryDir(): string {
  const entry = createRequire(import.meta.url).resolve('onnxruntime-node'); // .../onnxruntime-node/dist/index.js
  return join(dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
}

export interface ProviderStatus {
  readonly available: boolean;
  /** Why it is not available (empty when it is). */
  readonly reason: string;
}

export function cudaProviderStatus(binaryDir = ortBinaryDir()): ProviderStatus {
  const backend = listSupportedBackends().find((b) => b.name === 'cuda');
  if (!backend)
    return {
      available: false,
      reason: `this onnxruntime-node build (${process.platform}/${process.arch}) has no CUDA backend`,
    };
  if (backend.bundled) return { available: true, reason: '' };
  const missing = CUDA_PROVIDER_LIBRARIES.filter((lib) => !existsSync(join(binaryDir, lib)));
  if (missing.length > 0)
    return {
      available: false,
      reason: `the CUDA provider is not installed (${missing.join(', ')} missing in ${binaryDir})`,
    };
  return { available: true, reason: '' };
}

export function cudaUnavailable(reason: string, cause?: unknown): CoinError {
  return new CoinError(
    'RUNTIME.CUDA_UNAVAILABLE',
    'UNAVAILABLE',
    `execution provider 'cuda' is not available: ${reason}`,
    {
      hint: CUDA_INSTALL_HINT,
      cause,
    },
  );
}

/** Throws RUNTIME.CUDA_UNAVAILABLE unless the provider can be used. */
export function assertProviderAvailable(provider: ExecutionProvider, binaryDir?: string): void {
  if (provider === 'cpu') return;
  const status = cudaProviderStatus(binaryDir);
  if (!status.available) throw cudaUnavailable(status.reason);
}
