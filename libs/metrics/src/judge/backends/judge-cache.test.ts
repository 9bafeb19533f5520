import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { JUDGE_CACHE_FILE, JudgeCache, judgeCacheKey } from './judge-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'coin-judge-cache-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('judge cache', () => {
  it('keys by model, sampling and messages, whatever the key order', () => {
    const m = [{ role: 'user', content: 'x' }];
    const k = judgeCacheKey('qwen', { temperature: 0, max_tokens: 20 }, m);
    assert.match(k, /^[0-9a-f]{64}$/);
    assert.equal(judgeCacheKey('qwen', { max_tokens: 20, temperature: 0 }, m), k);
    assert.notEqual(judgeCacheKey('qwen2', { temperature: 0, max_tokens: 20 }, m), k);
    assert.notEqual(judgeCacheKey('qwen', { temperature: 0.7, max_tokens: 20 }, m), k);
    assert.notEqual(judgeCacheKey('qwen', { temperature: 0, max_tokens: 20 }, [{ role: 'user', content: 'y' }]), k);
  });

  it('skips a torn last line and appends on a fresh line after it', async () => {
    const folder = join(dir, 'torn');
    const file = join(folder, JUDGE_CACHE_FILE);
    const whole = JSON.stringify({ key: 'a', model: 'm', text: '7', finish_reason: 'stop', refusal: false });
    const cache0 = await JudgeCache.open(folder); // creates the folder, no file yet
    assert.equal(cache0.size, 0);
    writeFileSync(file, `${whole}\n{"key":"b","text":"8`);
    const cache = await JudgeCache.open(folder);
    assert.deepEqual([cache.size, cache.skippedLines], [1, 1]);
    assert.deepEqual(cache.get('a'), { text: '7', finishReason: 'stop', refusal: false });
    await Promise.all([
      cache.put('b', 'm', { text: '8', finishReason: null, refusal: false }),
      cache.put('c', 'm', { text: '', finishReason: 'content_filter', refusal: true }),
    ]);
    const lines = readFileSync(file, 'utf8').split('\n');
    assert.equal(lines.length, 5); // whole, torn, b, c, ''
    const again = await JudgeCache.open(folder);
    assert.deepEqual([again.size, again.skippedLines], [3, 1]);
    assert.deepEqual(again.get('c'), { text: '', finishReason: 'content_filter', refusal: true });
  });
});
