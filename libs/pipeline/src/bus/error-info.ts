/**
 * A CoinError on the bus (common.proto's ErrorInfo) and back: its stable code, gRPC status, message,
 * hint and whether another attempt may succeed, which follows from its kind
 * (docs/protocol.md#runs-over-the-event-bus).
 */
import { CoinError, type ErrorKind } from '@coin/core';
import type { ErrorInfo } from '@coin/contracts';

/** google.rpc.Code of each kind. */
export const GRPC_STATUS: Readonly<Record<ErrorKind, number>> = {
  CANCELLED: 1,
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
};

/** Kinds another attempt may cure: a dependency that was away, damaged data recomputed, a crash. */
const RETRYABLE: ReadonlySet<ErrorKind> = new Set<ErrorKind>(['UNAVAILABLE', 'DATA_LOSS', 'INTERNAL']);

export function isRetryable(error: unknown): boolean {
  return error instanceof CoinError ? RETRYABLE.has(error.kind) : true;
}

export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof CoinError)
    return {
      code: error.code,
      status: GRPC_STATUS[error.kind],
      message: error.message,
      hint: error.hint ?? '',
      details: Object.fromEntries(Object.entries(error.details).map(([k, v]) => [k, String(v)])),
      retryable: isRetryable(error),
    };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'RUN.UNIT_CRASHED', status: GRPC_STATUS.INTERNAL, message, hint: '', details: {}, retryable: true };
}

/** The CoinError a worker's ErrorInfo describes, as if it had been thrown here. */
export function errorFromInfo(info: ErrorInfo | undefined, what: string): CoinError {
  const kind =
    (Object.entries(GRPC_STATUS) as [ErrorKind, number][]).find(([, s]) => s === info?.status)?.[0] ?? 'INTERNAL';
  const code = info?.code && /^[A-Z][A-Z0-9_]*(\.[A-Z][A-Z0-9_]*)+$/.test(info.code) ? info.code : 'RUN.UNIT_FAILED';
  return new CoinError(code, kind, `${what}: ${info?.message ?? 'failed'}`, {
    hint: info?.hint || 'finished units are kept in the store: fix the cause and submit the run again',
    details: { ...info?.details, retryable: info?.retryable ?? false },
  });
}
