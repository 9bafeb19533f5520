#!/usr/bin/env node
// `npm run bench -- <name> [args]`: runs bench/<name>.ts through swc-node.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const [name, ...args] = process.argv.slice(2);
const available = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name> [--json]\n  benchmarks: ${available.join(', ')}`);
  process.exit(2);
}
const script = join(root, 'bench', `${name}.ts`);
const r = spawnSync(process.execPath, ['--import', '@swc-node/register/esm-register', script, ...args], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_NO_WARNINGS: '1' },
});
process.exit(r.status ?? 1);
