/**
 * The one exception filter of every service: a CoinError becomes its gRPC status with the stable
 * code (grpc-status.ts); an RpcException keeps the status it names; anything else is logged here
 * with its stack under an incident id and answered INTERNAL without either.
 */
import { randomUUID } from 'node:crypto';
import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { type Observable, throwError } from 'rxjs';
import { isCoinError } from '@coin/core';
import type { Logger } from '@coin/platform';
import { grpcErrorOf } from './grpc-status.js';

@Catch()
export class CoinErrorFilter implements RpcExceptionFilter<unknown> {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown): Observable<never> {
    if (exception instanceof RpcException) return throwError(() => exception.getError());
    if (isCoinError(exception)) {
      this.logger.debug({ code: exception.code, kind: exception.kind, err: exception.message }, 'call failed');
      return throwError(() => grpcErrorOf(exception));
    }
    const incident = randomUUID();
    this.logger.error({ incident, err: exception }, 'unexpected error in a call');
    return throwError(() => grpcErrorOf(exception, incident));
  }
}
