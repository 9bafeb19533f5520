/**
 * S3 failures as CoinErrors (docs/file-formats.md#s3-object-store): a missing key is
 * STORE.NOT_FOUND like a missing file; a missing bucket, refused credentials and an endpoint that
 * cannot be reached each say what to check. The client's errors are read by their `code` only
 * (S3 error codes such as NoSuchKey, or Node's errno codes such as ECONNREFUSED).
 */
import { CoinError } from '@coin/core';

/** Where a failed request went, for messages. */
export interface S3Place {
  readonly url: string;
  readonly endpoint: string;
  readonly bucket: string;
}

const MISSING_KEY = new Set(['NoSuchKey', 'NotFound']);
const REFUSED = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'AuthorizationHeaderMalformed',
  'AllAccessDisabled',
]);
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
  'EPROTO',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

function codeOf(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** Whether a failed HEAD or GET means "no such blob" (and not a failure to ask). */
export function isMissingKey(e: unknown): boolean {
  return MISSING_KEY.has(codeOf(e));
}

export function blobNotFound(path: string, place: S3Place, cause?: unknown): CoinError {
  return new CoinError('STORE.NOT_FOUND', 'NOT_FOUND', `no blob ${path} in the store ${place.url}`, {
    hint: 'check the path; list the prefix to see what the store holds',
    details: { path, store: place.url },
    cause,
  });
}

export function noBucket(place: S3Place): CoinError {
  return new CoinError(
    'STORE.S3_NO_BUCKET',
    'FAILED_PRECONDITION',
    `the bucket ${place.bucket} does not exist at ${place.endpoint}`,
    {
      hint: 'create it, check COIN_S3_BUCKET, or set s3.createBucket (COIN_S3_CREATE_BUCKET=true) to create it on first use',
      details: { bucket: place.bucket, endpoint: place.endpoint },
    },
  );
}

/**
 * The CoinError for a failed request: `action` says what was tried ("read runs/a/x"). A CoinError
 * passes through unchanged.
 */
export function s3Failure(e: unknown, action: string, place: S3Place): unknown {
  if (e instanceof CoinError) return e;
  const code = codeOf(e);
  const why = e instanceof Error ? e.message : String(e);
  const details = { endpoint: place.endpoint, bucket: place.bucket, store: place.url, code };
  if (code === 'NoSuchBucket') return noBucket(place);
  if (REFUSED.has(code)) {
    return new CoinError(
      'STORE.S3_ACCESS_DENIED',
      'FAILED_PRECONDITION',
      `${place.endpoint} refused to ${action} in ${place.url}: ${code}: ${why}`,
      {
        hint: 'check the credentials (COIN_S3_ACCESS_KEY, COIN_S3_SECRET_KEY) and that they may use this bucket',
        details,
        cause: e,
      },
    );
  }
  if (NETWORK.has(code)) {
    return new CoinError(
      'STORE.S3_UNREACHABLE',
      'UNAVAILABLE',
      `cannot ${action} in ${place.url}: the S3 endpoint ${place.endpoint} is unreachable (${code}: ${why})`,
      {
        hint: 'is the S3 server running? check COIN_S3_ENDPOINT (scheme, host and port)',
        details,
        cause: e,
      },
    );
  }
  return new CoinError(
    'STORE.S3_FAILED',
    'UNAVAILABLE',
    `cannot ${action} in ${place.url} at ${place.endpoint}: ${code ? `${code}: ` : ''}${why}`,
    {
      hint: 'the S3 server answered with an error; see its logs, then retry',
      details,
      cause: e,
    },
  );
}
