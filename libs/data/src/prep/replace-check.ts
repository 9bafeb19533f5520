import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { CoinError, isCoinError } from '@coin/core';
import { MANIFEST_FILE, type Manifest, readManifest } from './manifest.js';

const SHOWN = 5;

/**
 * Before `--force` replaces an existing folder: it must be an earlier `coin prep` output (it holds
 * a readable manifest.json) and hold nothing its manifest does not list, so that replacing it
 * can only lose what prep itself wrote and can write again. Throws PREP.FORCE_REFUSED (exit 2).
 */
export async function assertReplaceable(out: string): Promise<Manifest> {
  let manifest: Manifest;
  try {
    manifest = await readManifest(out);
  } catch (e) {
    if (!isCoinError(e)) throw e;
    throw refused(`${out} is not one (${e.message})`, { out });
  }
  const listed = new Set([MANIFEST_FILE, ...manifest.files.map((f) => f.path), ...manifest.links.map((l) => l.path)]);
  const strangers = await unlisted(out, listed);
  if (strangers.length > 0) {
    const shown = strangers.slice(0, SHOWN).join(', ') + (strangers.length > SHOWN ? ', ...' : '');
    throw refused(`${out} also holds ${strangers.length} path(s) its ${MANIFEST_FILE} does not list: ${shown}`, {
      out,
      unlisted: strangers,
    });
  }
  return manifest;
}

/** Every file, link or other non-folder under `dir` (hidden ones too) that `listed` lacks. */
async function unlisted(dir: string, listed: ReadonlySet<string>): Promise<string[]> {
  const found: string[] = [];
  async function walk(current: string): Promise<void> {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      const rel = relative(dir, full).split(sep).join('/');
      if (listed.has(rel)) continue;
      // Folders are not listed; an empty one loses nothing, and their contents are checked.
      if (entry.isDirectory()) await walk(full);
      else found.push(rel);
    }
  }
  await walk(dir);
  return found.sort();
}

function refused(why: string, details: Record<string, unknown>): CoinError {
  return new CoinError(
    'PREP.FORCE_REFUSED',
    'INVALID_ARGUMENT',
    `--force replaces only a \`coin prep\` output: ${why}`,
    {
      hint: 'move your files out of it, or choose another --out',
      details,
    },
  );
}
