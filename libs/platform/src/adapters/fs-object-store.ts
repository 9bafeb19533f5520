/**
 * The embedded ObjectStore: blobs are files under one root folder, a store path maps to the file of
 * the same relative path. Every write goes to a temp file beside the target and is renamed over it
 * (docs/file-formats.md#store-paths), so a reader sees the old blob or the new one, never a part;
 * listings skip those temp files.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type Dirent } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CoinError, tempPathBeside, writeFileAtomic } from '@coin/core';
import type { BlobInfo, ObjectStore } from '../ports/object-store.js';
import { checkStorePath, checkStorePrefix, isTempName, joinStorePath } from '../ports/store-path.js';

export class FilesystemObjectStore implements ObjectStore {
  readonly root: string;
  readonly url: string;

  /** @param root the store's folder (created on the first write). */
  constructor(root: string) {
    this.root = resolve(root);
    this.url = `file://${this.root}`;
  }

  async put(path: string, data: Uint8Array | string): Promise<BlobInfo> {
    const file = this.fileOf(path);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    await this.io('write', path, () => writeFileAtomic(file, bytes));
    return { path, size: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
  }

  async putFile(path: string, localFile: string): Promise<BlobInfo> {
    const file = this.fileOf(path);
    await checkLocalFile(localFile);
    const hash = createHash('sha256');
    let size = 0;
    await this.io('write', path, async () => {
      await mkdir(dirname(file), { recursive: true });
      const temp = tempPathBeside(file);
      try {
        const out = await open(temp, 'w');
        try {
          for await (const chunk of createReadStream(localFile) as AsyncIterable<Buffer>) {
            hash.update(chunk);
            size += chunk.byteLength;
            await out.write(chunk);
          }
          await out.sync();
        } finally {
          await out.close();
        }
        await rename(temp, file);
      } catch (e) {
        await rm(temp, { force: true });
        throw e;
      }
    });
    return { path, size, sha256: hash.digest('hex') };
  }

  async get(path: string): Promise<Uint8Array> {
    const file = this.fileOf(path);
    return this.io('read', path, () => readFile(file));
  }

  async getStream(path: string): Promise<AsyncIterable<Uint8Array>> {
    const file = this.fileOf(path);
    const handle = await this.io('read', path, () => open(file, 'r'));
    return handle.createReadStream();
  }

  async getFile(path: string, localFile: string): Promise<void> {
    const source = await this.getStream(path);
    await mkdir(dirname(localFile), { recursive: true });
    const temp = tempPathBeside(localFile);
    try {
      await pipeline(source, createWriteStream(temp));
      await rename(temp, localFile);
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
  }

  async exists(path: string): Promise<boolean> {
    return (await this.size(path)) !== undefined;
  }

  async size(path: string): Promise<number | undefined> {
    const file = this.fileOf(path);
    try {
      const info = await stat(file);
      return info.isFile() ? info.size : undefined;
    } catch {
      return undefined;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const folder = checkStorePrefix(prefix, true);
    const found: string[] = [];
    await walk(join(this.root, folder), folder, found);
    return found.sort();
  }

  async deletePrefix(prefix: string): Promise<void> {
    const folder = checkStorePrefix(prefix, false);
    await rm(join(this.root, folder), { recursive: true, force: true });
    // Prune the folders left empty above it: S3 has no folders, so an emptied one should vanish too.
    let parent = dirname(folder);
    while (parent !== '.') {
      try {
        await rmdir(join(this.root, parent));
      } catch {
        break; // not empty (or already gone): stop
      }
      parent = dirname(parent);
    }
  }

  localPath(prefix: string): string {
    return join(this.root, checkStorePrefix(prefix, true));
  }

  private fileOf(path: string): string {
    return join(this.root, checkStorePath(path));
  }

  /** Runs a file operation on blob `path`, turning file-system errors into store errors. */
  private async io<T>(access: 'read' | 'write', path: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      throw storeError(e, access, path, this.url);
    }
  }
}

/** putFile's source must be a readable file; a missing one is named as the caller's mistake. */
async function checkLocalFile(localFile: string): Promise<void> {
  let isFile = false;
  try {
    isFile = (await stat(localFile)).isFile();
  } catch {
    // reported below
  }
  if (!isFile) {
    throw new CoinError('STORE.LOCAL_FILE_NOT_FOUND', 'NOT_FOUND', `no file ${localFile} to upload`, {
      details: { localFile },
    });
  }
}

/** A read of a missing blob (or of a folder) is NOT_FOUND; a write that meets a folder is a conflict. */
function storeError(e: unknown, access: 'read' | 'write', path: string, url: string): unknown {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  if (access === 'read' && ['ENOENT', 'EISDIR', 'ENOTDIR'].includes(code)) {
    return new CoinError('STORE.NOT_FOUND', 'NOT_FOUND', `no blob ${path} in the store ${url}`, {
      hint: 'check the path; list the prefix to see what the store holds',
      details: { path, store: url },
    });
  }
  if (access === 'write' && ['EISDIR', 'ENOTDIR', 'EEXIST', 'ENOTEMPTY'].includes(code)) {
    return new CoinError(
      'STORE.PATH_CONFLICT',
      'FAILED_PRECONDITION',
      `${path} in ${url} is both a blob and a folder`,
      {
        hint: 'a file store cannot hold a blob at a path that is also a prefix of other blobs; rename one',
        details: { path, store: url },
        cause: e,
      },
    );
  }
  return e;
}

async function walk(dir: string, storeDir: string, found: string[]): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return; // no such folder (or a blob, not a folder): nothing under it
  }
  for (const entry of entries) {
    if (isTempName(entry.name)) continue;
    const path = joinStorePath(storeDir, entry.name);
    if (entry.isDirectory()) await walk(join(dir, entry.name), path, found);
    else if (entry.isFile()) found.push(path);
  }
}
