import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CONFIG_DIR = 'libs/platform/src/config/';

function sources(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...sources(path));
    else if (/\.(ts|mts|js|mjs)$/.test(entry) && !entry.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

test('COIN_* variables are read only by the platform config', () => {
  const readers: string[] = [];
  for (const top of ['apps', 'libs']) {
    for (const file of sources(join(ROOT, top))) {
      const path = relative(ROOT, file);
      if (path.startsWith(CONFIG_DIR)) continue;
      if (/env(\.|\[['"`])COIN_/.test(readFileSync(file, 'utf8'))) readers.push(path);
    }
  }
  assert.deepEqual(readers, [], 'read COIN_* through loadConfig instead');
});
