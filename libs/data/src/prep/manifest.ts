import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { CoinError } from '@coin/core';
import { writeFileAtomic } from './atomic-write.js';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_VERSION = 1;

/** One regular file under the manifest's directory. */
export interface ManifestFile {
  /** Relative to the directory, '/'-separated. */
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

/** A symbolic link (e.g. to a raw image folder): recorded, never followed or hashed. */
export interface ManifestLink {
  readonly path: string;
  readonly target: string;
}

export interface ManifestInfo {
  /** What produced the directory: 'synth', 'ScienceQA', ... */
  readonly kind: string;
  /** The parameters that produced it (seed, variant, fraction, ...); stored as given. */
  readonly params: unknown;
  /** Record counts, e.g. { 'ScienceQA/train': 12726 }. */
  readonly counts: Record<string, number>;
  /** Anything else worth keeping (tool version, source paths). */
  readonly extra?: Record<string, unknown>;
}

export interface Manifest extends ManifestInfo {
  readonly version: number;
  readonly files: readonly ManifestFile[];
  readonly links: readonly ManifestLink[];
}

export interface ManifestProblem {
  readonly path: string;
  readonly problem: 'missing' | 'size' | 'sha256' | 'unlisted' | 'link';
  readonly expected?: string | number;
  readonly actual?: string | number;
}

/** Streams a file through sha256 (images and GQA-sized JSON must not be read into memory). */
async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface Listing {
  files: string[];
  links: string[];
}

/**
 * Every file under `dir`, sorted by relative path so the manifest is byte-identical across runs.
 * Skips the manifest itself and dot-prefixed temp files (see tempPathBeside).
 */
async function listTree(dir: string): Promise<Listing> {
  const out: Listing = { files: [], links: [] };
  async function walk(current: string): Promise<void> {
    const entries = await readdir(current, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = join(current, entry.name);
      const rel = relative(dir, full).split(sep).join('/');
      if (rel === MANIFEST_FILE) continue;
      if (entry.isSymbolicLink()) out.links.push(rel);
      else if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) out.files.push(rel);
    }
  }
  await walk(dir);
  const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  out.files.sort(byCodePoint);
  out.links.sort(byCodePoint);
  return out;
}

/**
 * Lists every file under `dir` (relative path, size, sha256) and writes `manifest.json` last,
 * through temp + rename, so a directory with a manifest is a finished directory.
 */
export async function writeManifest(dir: string, info: ManifestInfo): Promise<Manifest> {
  const listing = await listTree(dir);
  const files: ManifestFile[] = [];
  for (const path of listing.files) {
    const full = join(dir, path);
    const stat = await lstat(full);
    files.push({ path, size: stat.size, sha256: await sha256File(full) });
  }
  const links: ManifestLink[] = [];
  for (const path of listing.links) links.push({ path, target: await readlink(join(dir, path)) });
  const manifest: Manifest = {
    version: MANIFEST_VERSION,
    kind: info.kind,
    params: info.params,
    counts: sortedCounts(info.counts),
    ...(info.extra === undefined ? {} : { extra: info.extra }),
    files,
    links,
  };
  await writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** The same counts with their keys in sorted order (stable JSON). */
export function sortedCounts(counts: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(counts).sort()) out[key] = counts[key];
  return out;
}

export async function readManifest(dir: string): Promise<Manifest> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CoinError('MANIFEST.NOT_FOUND', 'NOT_FOUND', `no ${MANIFEST_FILE} in ${dir}`, {
      hint: 'the directory was not written by `coin prep`, or its run did not finish; run `coin prep` again',
      cause: e,
      details: { file: path },
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new CoinError('MANIFEST.CORRUPT', 'DATA_LOSS', `${path} is not valid JSON: ${(e as Error).message}`, {
      cause: e,
      details: { file: path },
    });
  }
  const m = parsed as Partial<Manifest>;
  if (
    typeof m !== 'object' ||
    m === null ||
    m.version !== MANIFEST_VERSION ||
    !Array.isArray(m.files) ||
    typeof m.kind !== 'string'
  ) {
    throw new CoinError('MANIFEST.CORRUPT', 'DATA_LOSS', `${path} is not a version-${MANIFEST_VERSION} CoIN manifest`, {
      details: { file: path },
    });
  }
  return { ...m, links: m.links ?? [] } as Manifest;
}

/**
 * Re-hashes every listed file. Returns normally when the directory matches; otherwise throws
 * MANIFEST.MISMATCH (DATA_LOSS) with every problem in `details.problems` (missing, changed size or
 * content, files that appeared without being listed, links that changed).
 */
export async function verifyManifest(dir: string): Promise<Manifest> {
  const manifest = await readManifest(dir);
  const problems: ManifestProblem[] = [];
  const listed = new Set<string>();
  for (const file of manifest.files) {
    listed.add(file.path);
    const full = join(dir, file.path);
    let size: number;
    try {
      const stat = await lstat(full);
      if (!stat.isFile()) throw new Error('not a file');
      size = stat.size;
    } catch {
      problems.push({ path: file.path, problem: 'missing' });
      continue;
    }
    if (size !== file.size) {
      problems.push({ path: file.path, problem: 'size', expected: file.size, actual: size });
      continue;
    }
    const digest = await sha256File(full);
    if (digest !== file.sha256)
      problems.push({ path: file.path, problem: 'sha256', expected: file.sha256, actual: digest });
  }
  const listing = await listTree(dir);
  for (const path of listing.files) if (!listed.has(path)) problems.push({ path, problem: 'unlisted' });
  const links = new Map(manifest.links.map((l) => [l.path, l.target]));
  for (const path of listing.links) {
    const target = await readlink(join(dir, path));
    if (links.get(path) !== target) problems.push({ path, problem: 'link', expected: links.get(path), actual: target });
    links.delete(path);
  }
  for (const [path, target] of links) problems.push({ path, problem: 'link', expected: target });
  if (problems.length > 0) {
    const shown = problems
      .slice(0, 10)
      .map((p) => `${p.path} (${p.problem})`)
      .join(', ');
    throw new CoinError(
      'MANIFEST.MISMATCH',
      'DATA_LOSS',
      `${problems.length} file(s) in ${dir} do not match ${MANIFEST_FILE}: ${shown}${problems.length > 10 ? ', ...' : ''}`,
      {
        hint: 'the files were changed or truncated after `coin prep` wrote them; run `coin prep` again',
        details: { dir, problems },
      },
    );
  }
  return manifest;
}
