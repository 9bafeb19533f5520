import { constants } from 'node:os';

/**
 * Errors with stable codes. Every failure a user can cause (bad input, missing file, wrong flag)
 * is a CoinError: it says what was wrong and how to fix it, and the CLI and gRPC layers map its
 * code once (see `exitCodeFor` and the gRPC status table in apps) instead of showing a stack trace.
 */
export type ErrorKind =
  | 'INVALID_ARGUMENT' // the caller gave something malformed: fix the input
  | 'NOT_FOUND' // a named thing does not exist
  | 'FAILED_PRECONDITION' // the system is not in a state to do this (e.g. stage 2 before stage 1)
  | 'ALREADY_EXISTS'
  | 'UNAVAILABLE' // a dependency (broker, store, provider) cannot be reached or is not installed
  | 'DATA_LOSS' // stored data is corrupt or truncated
  | 'UNIMPLEMENTED'
  | 'CANCELLED' // stopped on request (Ctrl-C, a kill); details.signal names the signal
  | 'INTERNAL'; // a bug in CoIN-TS

export interface CoinErrorOptions {
  /** What the user can do about it; printed after the message. */
  readonly hint?: string;
  readonly cause?: unknown;
  /** Structured context for logs and JSON output (file, position, key, ...). */
  readonly details?: Readonly<Record<string, unknown>>;
}

export class CoinError extends Error {
  override readonly name = 'CoinError';
  readonly hint: string | undefined;
  readonly details: Readonly<Record<string, unknown>>;

  /** @param code stable, dotted, upper-case: `<AREA>.<WHAT>`, e.g. `DATASET.NOT_FOUND`. */
  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    options: CoinErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (!/^[A-Z][A-Z0-9_]*(\.[A-Z][A-Z0-9_]*)+$/.test(code)) {
      throw new Error(`CoinError code must look like AREA.WHAT, got ${JSON.stringify(code)}`);
    }
    this.hint = options.hint;
    this.details = options.details ?? {};
  }

  /** One or two lines for a terminal: the message, then the hint. */
  describe(): string {
    return this.hint ? `${this.message}\n  hint: ${this.hint}` : this.message;
  }
}

export function isCoinError(e: unknown): e is CoinError {
  return e instanceof CoinError;
}

/** Shorthand for the most common case: the caller's input is wrong. */
export function invalidArgument(
  code: string,
  message: string,
  hint?: string,
  details?: Record<string, unknown>,
): CoinError {
  return new CoinError(code, 'INVALID_ARGUMENT', message, { hint, details });
}

/** Process exit codes used by every CLI command: 0 ok, 1 failure, 2 bad usage. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * Bad input exits 2: something malformed (INVALID_ARGUMENT), a named input that does not exist
 * (NOT_FOUND) or an output that already does (ALREADY_EXISTS); the user fixes the command. Every
 * other failure exits 1, a disk that refuses a write (UNAVAILABLE) included. A run stopped by a
 * signal exits 128 + the signal's number (130 for SIGINT, 143 for SIGTERM), as shells report a
 * process the signal killed, so scripts and `make` see it as interrupted.
 */
const BAD_INPUT_KINDS: ReadonlySet<ErrorKind> = new Set(['INVALID_ARGUMENT', 'NOT_FOUND', 'ALREADY_EXISTS']);

export function exitCodeFor(e: unknown): number {
  if (!isCoinError(e)) return EXIT_FAILURE;
  if (e.kind === 'CANCELLED') {
    const signal = e.details.signal;
    const number = typeof signal === 'string' ? constants.signals[signal as NodeJS.Signals] : undefined;
    return number === undefined ? EXIT_FAILURE : 128 + number;
  }
  return BAD_INPUT_KINDS.has(e.kind) ? EXIT_USAGE : EXIT_FAILURE;
}
