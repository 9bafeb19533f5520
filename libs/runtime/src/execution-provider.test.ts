import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoinError } from '@coin/core';
import {
  assertProviderAvailable,
  CUDA_PROVIDER_LIBRARIES,
  cudaProviderStatus,
  ortBinaryDir,
} from './execution-provider.js';

describe('execution providers', () => {
  it('finds the native binding folder', () => {
    assert.ok(existsSync(join(ortBinaryDir(), 'onnxruntime_binding.node')), ortBinaryDir());
  });
  it('cpu is always available', () => {
    assert.doesNotThrow(() => assertProviderAvailable('cpu'));
  });
  it('cuda needs both provider libraries next to the binding', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coin-ep-'));
    try {
      const none = cudaProviderStatus(dir);
      assert.equal(none.available, false);
      assert.match(none.reason, /libonnxruntime_providers_shared\.so, libonnxruntime_providers_cuda\.so missing/);
      assert.throws(
        () => assertProviderAvailable('cuda', dir),
        (e: unknown) =>
          e instanceof CoinError &&
          e.code === 'RUNTIME.CUDA_UNAVAILABLE' &&
          e.kind === 'UNAVAILABLE' &&
          /cuda12/.test(e.hint ?? ''),
      );
      await writeFile(join(dir, CUDA_PROVIDER_LIBRARIES[1]), '');
      assert.match(cudaProviderStatus(dir).reason, /providers_shared\.so missing/);
      await writeFile(join(dir, CUDA_PROVIDER_LIBRARIES[0]), '');
      assert.deepEqual(cudaProviderStatus(dir), { available: true, reason: '' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('matches what is installed here', () => {
    const installed = CUDA_PROVIDER_LIBRARIES.every((lib) => existsSync(join(ortBinaryDir(), lib)));
    assert.equal(cudaProviderStatus().available, installed);
  });
});
