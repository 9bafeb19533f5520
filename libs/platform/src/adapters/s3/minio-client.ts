/**
 * The one importer of `minio` (ARCHITECTURE.md "Ports and their adapters"): builds a client for an
 * S3 endpoint, loaded on first use (the package takes ~180 ms to import, which commands that never
 * touch S3 need not pay). Requests carry an idle timeout, so an endpoint that accepts a connection
 * and never answers fails instead of hanging; minio's own retry of 5xx answers is off (it logs
 * through console.warn and cannot replay a consumed body): a failed request fails its operation.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Client } from 'minio';

export type MinioClient = Client;

export interface MinioClientOptions {
  readonly endpoint: URL;
  readonly region: string;
  readonly accessKey: string;
  readonly secretKey: string;
  /** Bytes; minio's own multipart threshold (the store never hands it a larger single body). */
  readonly partSize: number;
  /** Milliseconds a request may stay silent (connecting, sending or receiving) before it fails. */
  readonly requestTimeoutMs: number;
}

export async function createMinioClient(options: MinioClientOptions): Promise<MinioClient> {
  const { Client } = await import('minio');
  const useSSL = options.endpoint.protocol === 'https:';
  const base = useSSL ? https : http;
  const timeout = options.requestTimeoutMs;
  // A transport is http.request with a timeout: minio passes `transport.request(opts, callback)`.
  const request = ((opts: http.RequestOptions, callback?: (res: http.IncomingMessage) => void) => {
    const req = base.request({ ...opts, timeout }, callback);
    req.on('timeout', () => {
      const e = new Error(`no answer within ${timeout} ms`) as NodeJS.ErrnoException;
      e.code = 'ETIMEDOUT';
      req.destroy(e);
    });
    return req;
  }) as typeof http.request;
  return new Client({
    endPoint: options.endpoint.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: options.endpoint.port === '' ? undefined : Number(options.endpoint.port),
    useSSL,
    region: options.region,
    accessKey: options.accessKey,
    secretKey: options.secretKey,
    partSize: options.partSize,
    pathStyle: true,
    transport: { request },
    retryOptions: { disableRetry: true },
  });
}
