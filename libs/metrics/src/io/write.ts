import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { CoinError, writeFileAtomicSync } from '@coin/core';
import type { OutputFile } from '../scorers/types.js';

/** Writes a whole file or nothing: a temp file next to it, then a rename. */
export function writeFileAtomic(path: string, content: string): void {
  try {
    writeFileAtomicSync(path, content);
  } catch (e) {
    // A disk that refuses a write is a failure (exit 1), not bad input: the same command may work tomorrow.
    throw new CoinError('METRICS.WRITE_FAILED', 'UNAVAILABLE', `cannot write ${path}: ${(e as Error).message}`, {
      hint: 'check that the output folder is writable and has free space',
      cause: e,
    });
  }
}

/** Writes a scorer's output file at `path` (GQA's Result.text is appended, as CoIN does). */
export function writeOutputFile(path: string, file: OutputFile): void {
  if (file.mode === 'append') {
    try {
      mkdirSync(dirname(path), { recursive: true });
      appendFileSync(path, file.content, 'utf8');
    } catch (e) {
      throw new CoinError('METRICS.WRITE_FAILED', 'UNAVAILABLE', `cannot append to ${path}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  } else {
    writeFileAtomic(path, file.content);
  }
}
