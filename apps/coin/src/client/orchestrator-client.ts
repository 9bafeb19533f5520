/**
 * The orchestrator's BenchmarkService as the client commands call it (coin submit, status, watch,
 * cancel): its address from --orchestrator, COIN_ORCHESTRATOR or the stack file of the store, and
 * every failed call turned into the CoinError the service sent (the `coin-error-info-bin` trailer,
 * docs/protocol.md#grpc-errors), or "no stack running" when nothing answers.
 */
import { resolve } from 'node:path';
import { credentials, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { CoinError, type ErrorKind } from '@coin/core';
import { BenchmarkServiceClient, ErrorInfo } from '@coin/contracts';
import type { CliContext } from '../context.js';
import { readStackFile } from '../stack/stack-file.js';

const KIND_OF: Readonly<Partial<Record<status, ErrorKind>>> = {
  [status.INVALID_ARGUMENT]: 'INVALID_ARGUMENT',
  [status.NOT_FOUND]: 'NOT_FOUND',
  [status.FAILED_PRECONDITION]: 'FAILED_PRECONDITION',
  [status.ALREADY_EXISTS]: 'ALREADY_EXISTS',
  [status.UNAVAILABLE]: 'UNAVAILABLE',
  [status.DATA_LOSS]: 'DATA_LOSS',
  [status.UNIMPLEMENTED]: 'UNIMPLEMENTED',
  [status.CANCELLED]: 'CANCELLED',
  [status.DEADLINE_EXCEEDED]: 'UNAVAILABLE',
};

const noStack = (detail: string) =>
  new CoinError('STACK.NOT_RUNNING', 'UNAVAILABLE', `no stack running: \`coin stack up\` (${detail})`, {
    hint: 'start the local stack with `coin stack up`, or name a running orchestrator with --orchestrator HOST:PORT (or COIN_ORCHESTRATOR)',
  });

/** A failed call as a CoinError: the service's own error when it sent one. */
export function fromGrpcError(e: ServiceError, address: string): CoinError {
  const [bytes] = e.metadata?.get('coin-error-info-bin') ?? [];
  if (Buffer.isBuffer(bytes)) {
    const info = ErrorInfo.decode(bytes);
    return new CoinError(info.code, KIND_OF[info.status as status] ?? 'INTERNAL', info.message, {
      ...(info.hint ? { hint: info.hint } : {}),
      details: { ...info.details, orchestrator: address },
    });
  }
  if (e.code === status.UNAVAILABLE || e.code === status.DEADLINE_EXCEEDED)
    return noStack(`the orchestrator at ${address} does not answer: ${e.details}`);
  return new CoinError(`RPC.${status[e.code] ?? e.code}`, KIND_OF[e.code] ?? 'INTERNAL', e.details || e.message, {
    hint: 'the orchestrator sent no CoIN-TS error code; see its log',
    details: { orchestrator: address },
  });
}

/** Where the orchestrator is: the flag, then config `orchestrator` (COIN_ORCHESTRATOR), then the store's stack file. */
export async function orchestratorAddress(
  ctx: CliContext,
  flags: { orchestrator?: string; store?: string },
): Promise<string> {
  const given = flags.orchestrator ?? ctx.getConfig().orchestrator;
  if (given) return given;
  const store = resolve(flags.store ?? ctx.getConfig().storeDir);
  const stack = await readStackFile(store);
  const address = stack?.processes.find((p) => p.name === 'orchestrator')?.address;
  if (!address) throw noStack(`none on the store ${store}`);
  return address;
}

type Unary<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: { deadline: number },
  callback: (e: ServiceError | null, r: Res) => void,
) => unknown;

export class Orchestrator {
  readonly client: BenchmarkServiceClient;

  constructor(readonly address: string) {
    this.client = new BenchmarkServiceClient(address, credentials.createInsecure());
  }

  /** One unary call with a deadline (a dead address fails fast instead of waiting forever). */
  call<Req, Res>(
    method: (client: BenchmarkServiceClient) => Unary<Req, Res>,
    request: Req,
    timeoutMs = 10_000,
  ): Promise<Res> {
    const fn = method(this.client).bind(this.client) as Unary<Req, Res>;
    return new Promise((resolve, reject) =>
      fn(request, new Metadata(), { deadline: Date.now() + timeoutMs }, (e, r) =>
        e ? reject(fromGrpcError(e, this.address)) : resolve(r),
      ),
    );
  }

  close(): void {
    this.client.close();
  }
}
