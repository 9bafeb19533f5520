// `buf lint` with the STANDARD rules must pass on proto/, and the check must be able to fail.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const buf = join(root, 'node_modules', '.bin', 'buf');

interface BufModule {
  path: string;
  lint?: { use?: string[]; except?: string[]; ignore?: string[]; ignore_only?: unknown };
}

/** Runs `buf lint` in a folder; violations come back as "file:line: RULE message" lines. */
function bufLint(cwd: string): { status: number | null; violations: string[] } {
  const result = spawnSync(buf, ['lint', '--error-format=json'], { cwd, encoding: 'utf8' });
  const violations = result.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const v = JSON.parse(line) as { path: string; start_line: number; type: string; message: string };
      return `${v.path}:${v.start_line}: ${v.type} ${v.message}`;
    });
  if (result.status !== 0 && violations.length === 0) violations.push(result.stderr.trim());
  return { status: result.status, violations };
}

function protoModule(): BufModule {
  const config = parse(readFileSync(join(root, 'buf.yaml'), 'utf8')) as { modules: BufModule[] };
  const module = config.modules.find((m) => m.path === 'proto');
  assert.ok(module, 'buf.yaml has no module with path "proto"');
  return module;
}

describe('buf lint', () => {
  it('lints proto/ with STANDARD and no exceptions', () => {
    const lint = protoModule().lint;
    assert.deepEqual(lint?.use, ['STANDARD']);
    assert.equal(lint?.except, undefined);
    assert.equal(lint?.ignore, undefined);
    assert.equal(lint?.ignore_only, undefined);
  });

  it('passes on the repository', () => {
    const { status, violations } = bufLint(root);
    assert.deepEqual(violations, [], `buf lint found violations:\n${violations.join('\n')}`);
    assert.equal(status, 0);
  });

  it('reports violations of the same rules (control)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coin-buf-lint-'));
    try {
      writeFileSync(join(dir, 'buf.yaml'), stringify({ version: 'v2', modules: [protoModule()] }));
      mkdirSync(join(dir, 'proto', 'coin', 'v1'), { recursive: true });
      writeFileSync(
        join(dir, 'proto', 'coin', 'v1', 'bad.proto'),
        'syntax = "proto3";\npackage coin.v1;\nenum Color { RED = 0; }\nmessage Thing { string name = 1; }\nservice Things { rpc Get(Thing) returns (Thing); }\n',
      );
      const { status, violations } = bufLint(dir);
      assert.notEqual(status, 0);
      const text = violations.join('\n');
      for (const rule of [
        'ENUM_ZERO_VALUE_SUFFIX',
        'ENUM_VALUE_PREFIX',
        'SERVICE_SUFFIX',
        'RPC_REQUEST_STANDARD_NAME',
      ]) {
        assert.match(text, new RegExp(rule), `expected a ${rule} violation in:\n${text}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
