import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathExists } from './path-exists.js';

test('pathExists: a file and a folder exist, a missing name and a name under a file do not', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'coin-exists-'));
  try {
    await writeFile(join(dir, 'f'), 'x');
    assert.equal(await pathExists(join(dir, 'f')), true);
    assert.equal(await pathExists(dir), true);
    assert.equal(await pathExists(join(dir, 'missing')), false);
    assert.equal(await pathExists(join(dir, 'f', 'under')), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
