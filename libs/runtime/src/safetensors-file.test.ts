import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoinError } from '@coin/core';
import { readSafetensorsFile, writeSafetensorsFile } from './safetensors-file.js';
import { writeSafetensors } from './safetensors.js';
import { hostTensor } from './tensor.js';

describe('safetensors files', () => {
  it('writes atomically (no temp file left) and reads back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coin-st-'));
    try {
      const path = join(dir, 'adapter.safetensors');
      const tensors = { w: hostTensor('float32', [2], new Float32Array([1, 2])) };
      await writeFile(path, 'old contents');
      await writeSafetensorsFile(path, tensors, { stage: '1' });
      assert.deepEqual(await readdir(dir), ['adapter.safetensors']);
      assert.deepEqual(new Uint8Array(await readFile(path)), writeSafetensors(tensors, { stage: '1' }));
      const back = await readSafetensorsFile(path);
      assert.deepEqual([...(back.tensors.w.data as Float32Array)], [1, 2]);
      assert.deepEqual(back.metadata, { stage: '1' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('leaves no temp file and keeps the old file when the write fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coin-st-'));
    try {
      const path = join(dir, 'sub'); // a directory: rename over it fails
      await writeFile(join(dir, 'keep'), 'x');
      await import('node:fs/promises').then((fs) => fs.mkdir(join(path, 'inner'), { recursive: true }));
      await assert.rejects(writeSafetensorsFile(path, {}));
      assert.deepEqual((await readdir(dir)).sort(), ['keep', 'sub']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('reports a missing file as NOT_FOUND and a damaged one with its path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coin-st-'));
    try {
      await assert.rejects(
        readSafetensorsFile(join(dir, 'nope.safetensors')),
        (e: unknown) => e instanceof CoinError && e.code === 'SAFETENSORS.NOT_FOUND',
      );
      const bad = join(dir, 'bad.safetensors');
      await writeFile(bad, writeSafetensors({ w: hostTensor('float32', [4]) }).subarray(0, 30));
      await assert.rejects(
        readSafetensorsFile(bad),
        (e: unknown) => e instanceof CoinError && e.kind === 'DATA_LOSS' && e.message.startsWith(bad),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
