import { mkdir, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { tempPathBeside } from './atomic-write.js';
import { CoinError } from './errors.js';

/**
 * Output folders named by the user (`--out`, `--output-dir`), checked before any work so that a
 * bad path is answered at once as bad input (exit 2), not as an internal error after the work.
 *
 * The check never calls recursive mkdir: Node 20's `mkdir -p` spins forever on trees where mkdir
 * fails with ENOENT (such as /proc), so we walk up to the first existing ancestor ourselves, require
 * it to be a folder we can create folders in (tried for real: permission bits say nothing for root
 * or read-only mounts), and create the missing levels one plain mkdir at a time.
 */
export interface OutputTarget {
  /** The folder, absolute. */
  readonly path: string;
  /** Whether it exists already (as a folder). */
  readonly exists: boolean;
  /** Folders to create, outermost first; the last one is `path` unless it exists. */
  readonly missing: readonly string[];
  /** The flag it came from, for messages. */
  readonly flag: string;
}

export interface OutputTargetOptions {
  /** How the user named the folder, for messages, e.g. '--out'. */
  readonly flag: string;
  /** The writer also creates a temp folder beside the target and renames it into place. */
  readonly beside?: boolean;
}

type PathKind = 'folder' | 'file' | 'other' | 'missing';

async function kindOf(path: string, flag: string, given: string): Promise<PathKind> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'folder' : s.isFile() ? 'file' : 'other';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // ENOTDIR: some component above is a file; the walk up reaches it and says so.
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    throw refusal('OUTPUT.NOT_WRITABLE', `${flag} ${given}: cannot look at ${path} (${describeCode(code, e)})`, flag);
  }
}

/** Checks `path` as an output folder; see the module comment. Throws OUTPUT.* (exit 2). */
export async function checkOutputDir(path: string, options: OutputTargetOptions): Promise<OutputTarget> {
  const { flag } = options;
  if (path.trim() === '') {
    throw refusal('OUTPUT.EMPTY_PATH', `${flag} is empty`, flag, `give a folder path, e.g. ${flag} ./coin-out`);
  }
  const absolute = resolve(path);
  const missing: string[] = [];
  let current = absolute;
  for (;;) {
    const kind = await kindOf(current, flag, path);
    if (kind === 'folder') break;
    if (kind !== 'missing') {
      const what = kind === 'file' ? 'is a file, not a folder' : 'is not a folder';
      throw refusal('OUTPUT.NOT_A_FOLDER', `${flag} ${path}: ${current} ${what}`, flag);
    }
    missing.unshift(current);
    current = dirname(current); // the root always exists, so this ends
  }
  await probeWritable(current, flag, path);
  // A temp folder beside an existing target is created in its parent, and renamed from there.
  if (options.beside && missing.length === 0 && dirname(absolute) !== absolute) {
    await probeWritable(dirname(absolute), flag, path);
  }
  return { path: absolute, exists: missing.length === 0, missing, flag };
}

/** Creates the missing folders above the target (not the target itself), one level at a time. */
export async function makeParentDirs(target: OutputTarget): Promise<void> {
  await makeDirs(
    target.missing.filter((p) => p !== target.path),
    target.flag,
  );
}

/** Creates the target and the missing folders above it, one level at a time. */
export async function makeOutputDir(target: OutputTarget): Promise<void> {
  await makeDirs(target.missing, target.flag);
}

async function makeDirs(paths: readonly string[], flag: string): Promise<void> {
  for (const path of paths) {
    try {
      await mkdir(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && (await stat(path)).isDirectory()) continue; // made meanwhile by someone else
      throw refusal('OUTPUT.NOT_WRITABLE', `${flag}: cannot create ${path} (${describeCode(code, e)})`, flag);
    }
  }
}

/** Creates and removes an empty folder in `dir`: the only test that holds for root, ACLs and odd file systems. */
async function probeWritable(dir: string, flag: string, given: string): Promise<void> {
  const probe = tempPathBeside(join(dir, 'coin-write-probe'));
  try {
    await mkdir(probe);
  } catch (e) {
    const reason = describeCode((e as NodeJS.ErrnoException).code, e);
    throw refusal('OUTPUT.NOT_WRITABLE', `${flag} ${given}: cannot create folders in ${dir} (${reason})`, flag);
  }
  await rmdir(probe);
}

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOENT: 'this file system does not allow it',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many symbolic links',
};

function describeCode(code: string | undefined, e: unknown): string {
  if (code === undefined) return (e as Error).message;
  return REASONS[code] ? `${code}: ${REASONS[code]}` : code;
}

function refusal(code: string, message: string, flag: string, hint?: string): CoinError {
  return new CoinError(code, 'INVALID_ARGUMENT', message, {
    hint: hint ?? `choose a ${flag} folder you can write to (it may not exist yet; its parents are created)`,
  });
}
