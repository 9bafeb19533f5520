/**
 * CoinError → gRPC status (docs/protocol.md#grpc-errors): the error's category picks the status
 * code, the status message carries the stable code, the message and the hint, and the trailers
 * carry the whole ErrorInfo (`coin-error-info-bin`, a coin.v1.ErrorInfo) plus the bare code
 * (`coin-error-code`) for clients that read no protobuf. Anything that is not a CoinError is a bug:
 * INTERNAL, with neither its message nor its stack sent to the caller.
 */
import { Metadata, status } from '@grpc/grpc-js';
import { type ErrorKind, isCoinError } from '@coin/core';
import { ErrorInfo } from '@coin/contracts';

export const ERROR_INFO_TRAILER = 'coin-error-info-bin';
export const ERROR_CODE_TRAILER = 'coin-error-code';

const STATUS_OF: Readonly<Record<ErrorKind, status>> = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  NOT_FOUND: status.NOT_FOUND,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  UNAVAILABLE: status.UNAVAILABLE,
  DATA_LOSS: status.DATA_LOSS,
  UNIMPLEMENTED: status.UNIMPLEMENTED,
  CANCELLED: status.CANCELLED,
  INTERNAL: status.INTERNAL,
};

/** Categories whose unit may succeed when simply tried again. */
const RETRYABLE: ReadonlySet<ErrorKind> = new Set(['UNAVAILABLE', 'INTERNAL', 'CANCELLED']);

/** What grpc-js sends for an error a handler returns: `details` is the status message. */
export interface GrpcErrorPayload {
  readonly code: status;
  readonly details: string;
  readonly message: string;
  readonly metadata: Metadata;
}

export function statusOf(kind: ErrorKind): status {
  return STATUS_OF[kind] ?? status.INTERNAL;
}

function errorPayload(info: ErrorInfo): GrpcErrorPayload {
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_TRAILER, info.code);
  metadata.set(ERROR_INFO_TRAILER, Buffer.from(ErrorInfo.encode(info).finish()));
  const details = `${info.code}: ${info.message}${info.hint ? ` (hint: ${info.hint})` : ''}`;
  return { code: info.status, details, message: details, metadata };
}

function stringDetails(details: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(details)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

/** The ErrorInfo of any thrown value (a CoinError's own, INTERNAL for everything else). */
export function errorInfoOf(e: unknown, incident?: string): ErrorInfo {
  if (isCoinError(e)) {
    return {
      code: e.code,
      status: statusOf(e.kind),
      message: e.message,
      hint: e.hint ?? '',
      details: stringDetails(e.details),
      retryable: RETRYABLE.has(e.kind),
    };
  }
  return {
    code: 'SERVICE.INTERNAL',
    status: status.INTERNAL,
    message: 'internal error',
    hint: incident ? `the service logged it as incident ${incident}` : 'the service logged it',
    details: incident ? { incident } : {},
    retryable: true,
  };
}

export function grpcErrorOf(e: unknown, incident?: string): GrpcErrorPayload {
  return errorPayload(errorInfoOf(e, incident));
}

/** Reads the ErrorInfo a CoIN-TS service attached to a failed call, if any. */
export function errorInfoFromMetadata(metadata: Metadata | undefined): ErrorInfo | undefined {
  const [bytes] = metadata?.get(ERROR_INFO_TRAILER) ?? [];
  return Buffer.isBuffer(bytes) ? ErrorInfo.decode(bytes) : undefined;
}
