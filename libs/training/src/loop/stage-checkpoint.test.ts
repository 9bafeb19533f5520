import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CoinError } from '@coin/core';
import { ADAPTER_CONFIG_FILE } from '@coin/model';
import { readStageMeta, STAGE_META_FILE } from './stage-checkpoint.js';

test('readStageMeta: absent or unfinished stages read as undefined, a damaged record is a clear error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'coin-stage-meta-'));
  try {
    assert.equal(await readStageMeta(dir), undefined, 'no record: not finished');
    await writeFile(join(dir, STAGE_META_FILE), JSON.stringify({ checkpoint: 'adapter' }));
    assert.equal(await readStageMeta(dir), undefined, 'no adapter_config.json (written last): not finished');
    await writeFile(join(dir, ADAPTER_CONFIG_FILE), '{}');
    assert.deepEqual(await readStageMeta(dir), { checkpoint: 'adapter' });
    await writeFile(join(dir, STAGE_META_FILE), '{"checkpoint": "adap');
    await assert.rejects(
      readStageMeta(dir),
      (e: unknown) => e instanceof CoinError && e.code === 'TRAIN.CORRUPT_STAGE' && e.message.includes(STAGE_META_FILE),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
