// The committed generated code must equal what `npm run gen` produces from the current .proto
// files and buf.gen.*.yaml templates; otherwise someone edited a .proto and forgot to regenerate.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = resolve(fileURLToPath(import.meta.url), '../../..');

/** The output folders of every generation template (plugins[].out). */
function outputDirs(): string[] {
  return readdirSync(root)
    .filter((f) => /^buf\.gen\..+\.yaml$/.test(f))
    .flatMap((f) =>
      (parse(readFileSync(join(root, f), 'utf8')) as { plugins: { out: string }[] }).plugins.map((p) => p.out),
    );
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
}

/** Differences between a committed tree and a freshly generated one, as readable lines. */
function diffTrees(committed: string, fresh: string): string[] {
  const a = listFiles(committed);
  const b = listFiles(fresh);
  const problems: string[] = [];
  for (const f of b.filter((x) => !a.includes(x))) problems.push(`missing: ${f}`);
  for (const f of a.filter((x) => !b.includes(x))) problems.push(`not generated any more: ${f}`);
  for (const f of a.filter((x) => b.includes(x))) {
    if (!readFileSync(join(committed, f)).equals(readFileSync(join(fresh, f)))) problems.push(`stale: ${f}`);
  }
  return problems;
}

describe('generated code is fresh', () => {
  let out: string;
  before(() => {
    out = mkdtempSync(join(tmpdir(), 'coin-gen-'));
    const result = spawnSync(process.execPath, [join(root, 'tools', 'gen-contracts.mjs'), '--out', out], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, `npm run gen failed:\n${result.stdout}${result.stderr}`);
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('covers the contracts (both flavours) and the ONNX codec', () => {
    assert.deepEqual(outputDirs().sort(), [
      'libs/contracts/src/gen/grpc-js',
      'libs/contracts/src/gen/nest',
      'libs/onnx/src/proto/gen',
    ]);
    for (const dir of outputDirs()) assert.ok(listFiles(join(out, dir)).length > 0, `${dir}: nothing generated`);
  });

  it('matches the committed code', () => {
    const problems = outputDirs().flatMap((dir) =>
      diffTrees(join(root, dir), join(out, dir)).map((p) => `${dir}: ${p}`),
    );
    assert.deepEqual(
      problems,
      [],
      `generated code is out of date; run \`npm run gen\` and commit:\n${problems.join('\n')}`,
    );
  });

  it('notices an edited, an extra and a missing file (control)', () => {
    const dir = outputDirs()[0];
    const copy = mkdtempSync(join(tmpdir(), 'coin-gen-copy-'));
    try {
      cpSync(join(out, dir), copy, { recursive: true });
      const [first, second] = listFiles(copy);
      writeFileSync(join(copy, first), readFileSync(join(copy, first), 'utf8') + '\n// edited by hand\n');
      rmSync(join(copy, second));
      writeFileSync(join(copy, 'leftover.ts'), 'export {};\n');
      assert.deepEqual(
        diffTrees(copy, join(out, dir)).sort(),
        [`missing: ${second}`, `not generated any more: leftover.ts`, `stale: ${first}`].sort(),
      );
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
