import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CoinError } from '@coin/core';
import { initModel } from '../network/init.js';
import { PRESETS } from '../network/presets.js';
import { BASE_CONFIG_FILE, BASE_WEIGHTS_FILE, loadBaseCheckpoint, saveBaseCheckpoint } from './base-checkpoint.js';

test('a base model round-trips bit-exactly and damaged files are refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'coin-base-'));
  const weights = initModel(PRESETS.micro, 4);
  (weights.get('norm')!.data as Float32Array)[0] = -0;
  await saveBaseCheckpoint(dir, PRESETS.micro, weights);
  const back = await loadBaseCheckpoint(dir);
  assert.deepEqual(back.config, PRESETS.micro);
  assert.equal(back.weights.size, weights.size);
  for (const [name, t] of weights) {
    const got = back.weights.get(name)!;
    assert.deepEqual(
      Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength),
      Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength),
      name,
    );
  }
  assert.ok(Object.is((back.weights.get('norm')!.data as Float32Array)[0], -0));
  const file = join(dir, BASE_WEIGHTS_FILE);
  writeFileSync(file, readFileSync(file).subarray(0, 1000));
  await assert.rejects(loadBaseCheckpoint(dir), (e: Error & { kind?: string }) => e.kind === 'DATA_LOSS');
  await assert.rejects(loadBaseCheckpoint(join(dir, 'nowhere')), /no base model/);
});

test('a base model that lacks a weight its config needs is refused, naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'coin-base-'));
  const weights = initModel(PRESETS.micro, 4);
  weights.delete('lm_head');
  await saveBaseCheckpoint(dir, PRESETS.micro, weights);
  await assert.rejects(loadBaseCheckpoint(dir), /missing lm_head/);
});

test('a damaged coin_config.json is reported as corrupt, naming what is wrong, not as a missing model', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'coin-base-'));
  await saveBaseCheckpoint(dir, PRESETS.micro, initModel(PRESETS.micro, 4));
  const configFile = join(dir, BASE_CONFIG_FILE);
  const good = JSON.parse(readFileSync(configFile, 'utf8'));
  const refused = async (text: string, code: string, ...mentions: string[]) => {
    writeFileSync(configFile, text);
    await assert.rejects(loadBaseCheckpoint(dir), (e: unknown) => {
      assert.ok(e instanceof CoinError, `${text}: ${String(e)}`);
      assert.equal(e.code, code, `${text}: ${e.message}`);
      for (const m of mentions) assert.ok(e.message.includes(m), `${text}: ${e.message} should mention ${m}`);
      return true;
    });
  };
  await refused('{"format": "coin-base-v1", "config": {', 'CHECKPOINT.CORRUPT', 'not valid JSON');
  await refused('null', 'CHECKPOINT.CORRUPT', 'JSON object');
  await refused('{}', 'CHECKPOINT.UNSUPPORTED', 'format');
  await refused('{"format": "coin-base-v1", "config": {}}', 'CHECKPOINT.CORRUPT', 'config.name', 'config.decoder');
  const { dim: _dim, ...decoder } = good.config.decoder;
  await refused(
    JSON.stringify({ ...good, config: { ...good.config, decoder } }),
    'CHECKPOINT.CORRUPT',
    'config.decoder.dim',
  );
  await refused(
    JSON.stringify({ ...good, config: { ...good.config, vision: { ...good.config.vision, heads: -2 } } }),
    'CHECKPOINT.CORRUPT',
    'config.vision.heads',
    '-2',
  );
  writeFileSync(configFile, JSON.stringify(good));
  assert.deepEqual((await loadBaseCheckpoint(dir)).config, PRESETS.micro);
});
