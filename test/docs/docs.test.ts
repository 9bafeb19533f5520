import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ENVIRONMENT, resolveConfig } from '@coin/platform';

// The documentation in docs/ is what sources cite: every citation must resolve to a file and a
// heading there, no source may cite the external brief instead, and the configuration reference
// must name every key of libs/platform's schema and every COIN_* variable.
const root = resolve(fileURLToPath(import.meta.url), '../../..');
const SKIP_DIRS = new Set(['node_modules', 'dist', 'tmp', 'coverage', 'docs']);
const SOURCE_EXT = /\.(ts|mts|mjs|js|md|proto)$/;

function sourceFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith('.') || SKIP_DIRS.has(entry)) continue;
    const path = join(dir, entry);
    const s = statSync(path);
    if (s.isDirectory()) found.push(...sourceFiles(path));
    else if (SOURCE_EXT.test(entry)) found.push(path);
  }
  return found;
}

/** GitHub's heading anchors: lower-case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const slug = m[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

const anchorCache = new Map<string, Set<string>>();
function anchorsOfFile(file: string): Set<string> {
  let a = anchorCache.get(file);
  if (!a) anchorCache.set(file, (a = anchorsOf(readFileSync(file, 'utf8'))));
  return a;
}

/** A problem with the citation `target` (a docs/ path with an optional #anchor), or undefined. */
function brokenTarget(file: string, anchor: string | undefined): string | undefined {
  if (!existsSync(file)) return 'no such file';
  if (anchor !== undefined && !anchorsOfFile(file).has(anchor)) return `no heading with anchor #${anchor}`;
  return undefined;
}

const sources = sourceFiles(root).filter((f) => f !== fileURLToPath(import.meta.url));
const docsDir = join(root, 'docs');
const docs = readdirSync(docsDir, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.md'))
  .map((f) => join(docsDir, f));

test('docs/ has its index, protocol, configuration and file-format pages', () => {
  for (const name of ['README.md', 'protocol.md', 'configuration.md', 'file-formats.md'])
    assert.ok(existsSync(join(docsDir, name)), `docs/${name} is missing`);
});

test('no source cites the external brief (COIN.md or bare § sections); cite docs/… instead', () => {
  const offenders: string[] = [];
  for (const file of sources) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, k) => {
        if (/COIN\.md|§\s?\d/.test(line)) offenders.push(`${relative(root, file)}:${k + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(offenders, [], `cite docs/<file>.md#<anchor> instead:\n${offenders.join('\n')}`);
});

test('every docs/…md#anchor citation in the sources points to an existing file and heading', () => {
  const broken: string[] = [];
  const citation = /(?<![\w/])docs\/([\w./-]+?\.md)(?:#([\w-]+))?/g;
  for (const file of sources) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, k) => {
        for (const m of line.matchAll(citation)) {
          const problem = brokenTarget(join(docsDir, m[1]), m[2]);
          if (problem) broken.push(`${relative(root, file)}:${k + 1}: ${m[0]}: ${problem}`);
        }
      });
  }
  assert.deepEqual(broken, [], broken.join('\n'));
});

test('links between the docs pages resolve', () => {
  const broken: string[] = [];
  const link = /\]\((?!https?:)([\w./-]*?\.md)?(?:#([\w-]+))?\)/g;
  for (const file of docs) {
    for (const m of readFileSync(file, 'utf8').matchAll(link)) {
      if (m[1] === undefined && m[2] === undefined) continue;
      const target = m[1] === undefined ? file : resolve(dirname(file), m[1]);
      const problem = brokenTarget(target, m[2]);
      if (problem) broken.push(`${relative(root, file)}: ${m[0]}: ${problem}`);
    }
  }
  assert.deepEqual(broken, [], broken.join('\n'));
});

/** Dotted paths of the leaves of a plain object. */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

test('docs/configuration.md names every configuration key and COIN_* variable', () => {
  const page = readFileSync(join(docsDir, 'configuration.md'), 'utf8');
  // Keys with a default, plus the key behind each variable (which also covers optional keys).
  const keys = new Set(leafPaths(resolveConfig(undefined, {})));
  for (const setter of Object.values(ENVIRONMENT)) {
    const target: Record<string, unknown> = {};
    setter(target, 'x');
    for (const k of leafPaths(target)) keys.add(k);
  }
  assert.ok(keys.has('log.level') && keys.has('s3.secretKey'), 'the key walk finds nested and optional keys');
  const missingKeys = [...keys].filter((k) => !page.includes(`\`${k}\``));
  const missingVars = [...Object.keys(ENVIRONMENT), 'COIN_CONFIG'].filter((v) => !page.includes(`\`${v}\``));
  assert.deepEqual(missingKeys, [], `keys missing from docs/configuration.md: ${missingKeys.join(', ')}`);
  assert.deepEqual(missingVars, [], `variables missing from docs/configuration.md: ${missingVars.join(', ')}`);
});
