import { CoinError } from '@coin/core';

/** Where a value came from, for error messages: a file and, for JSONL, a 1-based line. */
export interface Source {
  readonly file: string;
  readonly line?: number;
}

function describeSource(src: Source): string {
  return src.line === undefined ? src.file : `${src.file}:${src.line}`;
}

/**
 * Bad scorer input (exit code 2). `original` says what CoIN's Python scorer would do with the
 * same input (usually crash with a traceback), so users comparing both know what to expect.
 */
export function badInput(src: Source | undefined, message: string, original?: string, hint?: string): CoinError {
  const where = src ? `${describeSource(src)}: ` : '';
  const parts = [hint, original ? `CoIN's original script would ${original}` : undefined].filter((x): x is string =>
    Boolean(x),
  );
  return new CoinError('METRICS.BAD_INPUT', 'INVALID_ARGUMENT', `${where}${message}`, {
    hint: parts.length > 0 ? parts.join('; ') : undefined,
    details: { file: src?.file, line: src?.line },
  });
}
