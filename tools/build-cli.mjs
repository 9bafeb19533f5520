#!/usr/bin/env node
// Compiles every project's sources (libs/*, apps/*) to JavaScript in dist/, so that `coin` starts
// without compiling TypeScript. `npm run build` runs it, and so does `npm ci` (the root `prepare`
// script); the `coin` launcher asks `staleReason` first and calls `build` when a source changed.
//
// dist/ mirrors the workspace: dist/libs/core/src/errors.js comes from libs/core/src/errors.ts,
// each project gets a package.json whose `exports` name the .js files, and dist/node_modules/@coin/*
// link to those projects, as the root node_modules/@coin/* link to the TypeScript ones. Node's own
// resolution then finds the compiled `@coin/core` from compiled code (the nearest node_modules
// wins) and every other package in the root node_modules; no import is rewritten. Paths a module
// computes from its own location (`new URL('../package.json', import.meta.url)`, the proto files)
// land on the same relative spots, with dist/proto a link to proto/.
//
// Incremental and cheap to check: dist/.manifest.json records the mtime of every source file and
// folder; `staleReason` stats them (a few ms), a folder's mtime catching added and removed files.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const DIST = join(ROOT, 'dist');
const MANIFEST = join(DIST, '.manifest.json');
const SELF = fileURLToPath(import.meta.url);
// Bump when the layout of dist/ changes, so that old trees are rebuilt from scratch.
const FORMAT = 1;

/** swc settings equal to what swc-node derives from tsconfig.base.json for the tests. */
const SWC_OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    target: 'es2022',
    keepClassNames: true,
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
  },
  module: { type: 'es6' },
  sourceMaps: true,
  swcrc: false,
  configFile: false,
};

/** The workspace's projects: folders under libs/ and apps/ with a package.json. */
function projects() {
  const found = [];
  for (const group of ['libs', 'apps']) {
    for (const name of readdirSync(join(ROOT, group)).sort()) {
      const dir = join(group, name);
      if (existsSync(join(ROOT, dir, 'package.json'))) found.push(dir);
    }
  }
  return found;
}

/** Every path the build reads, with its mtime: project folders, package.json files, src/ but tests. */
function scanInputs() {
  const inputs = {};
  const note = (rel) => {
    inputs[rel] = statSync(join(ROOT, rel)).mtimeMs;
  };
  // Folders carry a trailing slash.
  const walk = (rel) => {
    note(`${rel}/`);
    for (const entry of readdirSync(join(ROOT, rel), { withFileTypes: true })) {
      const child = join(rel, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile() && !entry.name.endsWith('.test.ts')) note(child);
    }
  };
  note('libs/');
  note('apps/');
  note(relative(ROOT, SELF));
  for (const dir of projects()) {
    note(`${dir}/`);
    note(join(dir, 'package.json'));
    walk(join(dir, 'src'));
  }
  return inputs;
}

function readManifest() {
  try {
    const m = JSON.parse(readFileSync(MANIFEST, 'utf8'));
    return m.format === FORMAT ? m : undefined;
  } catch {
    return undefined;
  }
}

/** Why dist/ must be (re)built, or undefined when it is current: no build yet, or an input changed. */
export function staleReason() {
  const m = readManifest();
  if (!m) return 'dist/ is not built yet';
  for (const [rel, mtime] of Object.entries(m.inputs)) {
    let now;
    try {
      now = statSync(join(ROOT, rel)).mtimeMs;
    } catch {
      return `${rel} was removed since the last build`;
    }
    if (now !== mtime) return `${rel} changed since the last build`;
  }
  return undefined;
}

/** Writes a file through a temporary name, so a `coin` started meanwhile never reads half a file. */
function writeAtomic(path, data) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** A symbolic link at `path` to `target`; left alone when there, as another build may have made it. */
function link(target, path) {
  try {
    if (readlinkSync(path) === target) return;
  } catch {
    // Not there yet, or not a link.
  }
  rmSync(path, { recursive: true, force: true });
  mkdirSync(dirname(path), { recursive: true });
  try {
    symlinkSync(target, path);
  } catch (e) {
    if (e.code !== 'EEXIST' || readlinkSync(path) !== target) throw e;
  }
}

/** A project's package.json for dist/: the same, with its exports pointing at .js files. */
function distPackageJson(dir) {
  const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
  const toJs = (v) => (typeof v === 'string' ? v.replace(/\.ts$/, '.js') : v);
  const exports = Object.fromEntries(Object.entries(pkg.exports ?? {}).map(([k, v]) => [k, toJs(v)]));
  const { name, version, type } = pkg;
  return { pkg, json: `${JSON.stringify({ name, version, type, exports }, null, 2)}\n` };
}

const isSource = (rel) => rel.endsWith('.ts') && !rel.endsWith('.test.ts') && !rel.endsWith('.d.ts');

/**
 * Brings dist/ up to date: compiles the .ts files that changed (all of them the first time), copies
 * other files from src/ (fixtures, data), drops outputs whose source is gone. Returns how many
 * files it wrote.
 */
export async function build({ clean = false } = {}) {
  const inputs = scanInputs();
  const previous = clean ? undefined : readManifest();
  // A changed build script may compile differently: then everything is compiled again.
  const old = previous?.inputs[relative(ROOT, SELF)] === inputs[relative(ROOT, SELF)] ? previous : undefined;
  if (!old) rmSync(DIST, { recursive: true, force: true });
  const changed = (rel) => old?.inputs[rel] !== inputs[rel];
  const { transformFile } = await import('@swc/core');

  const jobs = [];
  const inSrc = (rel) => /^(libs|apps)\/[^/]+\/src\//.test(rel) && !rel.endsWith('/');
  for (const rel of Object.keys(inputs).filter(inSrc)) {
    if (!changed(rel)) continue;
    if (isSource(rel)) {
      const out = join(DIST, rel.replace(/\.ts$/, '.js'));
      jobs.push(
        transformFile(join(ROOT, rel), {
          ...SWC_OPTIONS,
          filename: join(ROOT, rel),
          sourceFileName: relative(dirname(out), join(ROOT, rel)),
        }).then(({ code, map }) => {
          const mapName = `${out.slice(dirname(out).length + 1)}.map`;
          writeAtomic(`${out}.map`, map);
          writeAtomic(out, `${code}\n//# sourceMappingURL=${mapName}\n`);
        }),
      );
    } else {
      jobs.push(Promise.resolve().then(() => writeAtomic(join(DIST, rel), readFileSync(join(ROOT, rel)))));
    }
  }
  await Promise.all(jobs);

  // Outputs of sources that no longer exist.
  for (const rel of Object.keys(old?.inputs ?? {})) {
    if (rel in inputs || !inSrc(rel)) continue;
    const out = join(DIST, isSource(rel) ? rel.replace(/\.ts$/, '.js') : rel);
    rmSync(out, { recursive: true, force: true });
    rmSync(`${out}.map`, { force: true });
  }

  for (const dir of projects()) {
    const { pkg, json } = distPackageJson(dir);
    writeAtomic(join(DIST, dir, 'package.json'), json);
    link(relative(join(DIST, 'node_modules', pkg.name, '..'), join(DIST, dir)), join(DIST, 'node_modules', pkg.name));
    // Files a project reads at run time beside src/ (libs/platform/native: the Kafka mock's C source).
    if (existsSync(join(ROOT, dir, 'native'))) {
      link(relative(join(DIST, dir), join(ROOT, dir, 'native')), join(DIST, dir, 'native'));
    }
    // A project's own node_modules (npm nests a dependency there on a version clash).
    if (existsSync(join(ROOT, dir, 'node_modules'))) {
      link(relative(join(DIST, dir), join(ROOT, dir, 'node_modules')), join(DIST, dir, 'node_modules'));
    }
  }
  link('../proto', join(DIST, 'proto'));
  writeAtomic(MANIFEST, `${JSON.stringify({ format: FORMAT, inputs }, null, 0)}\n`);
  return jobs.length;
}

if (process.argv[1] && resolve(process.argv[1]) === SELF) {
  const started = performance.now();
  const written = await build({ clean: process.argv.includes('--clean') });
  const ms = Math.round(performance.now() - started);
  console.log(`build-cli: ${written} files to dist/ in ${ms} ms`);
}
