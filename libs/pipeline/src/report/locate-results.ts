/**
 * What `coin report R…` accepts for each R: a results.json, a run folder holding one (directly or
 * in report/, as the store lays runs out: docs/file-formats.md#results-json), or a folder of run
 * folders. Returns the files in the order given, each folder's runs sorted by name.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CoinError } from '@coin/core';

const NAMES = ['results.json', join('report', 'results.json')];

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function resultsIn(folder: string): Promise<string | undefined> {
  for (const name of NAMES) {
    const file = join(folder, name);
    if (await isFile(file)) return file;
  }
  return undefined;
}

async function locateOne(given: string): Promise<string[]> {
  let kind: 'file' | 'folder';
  try {
    kind = (await stat(given)).isDirectory() ? 'folder' : 'file';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new CoinError('REPORT.NOT_FOUND', 'NOT_FOUND', `cannot read ${given} (${code})`, {
      hint: 'give a results.json, the run folder holding it, or a folder of run folders',
      details: { path: given },
    });
  }
  if (kind === 'file') return [given];
  const own = await resultsIn(given);
  if (own) return [own];
  const entries = (await readdir(given, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  const found: string[] = [];
  for (const name of entries) {
    const file = await resultsIn(join(given, name));
    if (file) found.push(file);
  }
  if (found.length === 0)
    throw new CoinError('REPORT.NO_RESULTS', 'NOT_FOUND', `${given} holds no results.json, nor do its subfolders`, {
      hint: '`coin run` writes results.json into its run folder when the run has finished',
      details: { path: given },
    });
  return found;
}

/** The results.json files named by `paths`; the same file reached twice is refused. */
export async function locateResults(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  const seen = new Map<string, string>();
  for (const given of paths) {
    for (const file of await locateOne(given)) {
      const key = resolve(file);
      const first = seen.get(key);
      if (first !== undefined)
        throw new CoinError('REPORT.DUPLICATE_RUN', 'INVALID_ARGUMENT', `${file} is given twice (also as ${first})`, {
          hint: 'give each run once: a run counted twice would narrow the interval over seeds for nothing',
          details: { file },
        });
      seen.set(key, file);
      files.push(file);
    }
  }
  return files;
}
