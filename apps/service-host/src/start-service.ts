/**
 * startService: one CoIN-TS service as a NestJS gRPC microservice — its coin.v1 services, health
 * and reflection on one grpc-js server, config validated before anything starts, JSON logs, the
 * CoinError → gRPC status filter, and a graceful shutdown (docs/protocol.md#services).
 */
import 'reflect-metadata';
import { join } from 'node:path';
import type { DynamicModule, INestMicroservice, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { PackageDefinition } from '@grpc/proto-loader';
import { CoinError, isCoinError } from '@coin/core';
import { GRPC_LOADER_OPTIONS, GRPC_PACKAGE } from '@coin/contracts/nest';
import {
  type CoinConfig,
  createLogger,
  type EventBus,
  loadConfig,
  type Logger,
  type ObjectStore,
} from '@coin/platform';
import { CoinErrorFilter } from './error-filter.js';
import { createEventBus } from './event-bus.js';
import { CoinGrpcServer } from './grpc-server.js';
import { ServiceHealth } from './health.js';
import { HostModule } from './host-module.js';
import { NestPinoLogger } from './nest-logger.js';
import { createObjectStore } from './object-store.js';
import { addReflection } from './reflection.js';
import type { ServiceContext } from './service-context.js';
import { type CoinServiceName, qualifiedName, SERVICE_FILES } from './services.js';
import { ShutdownHooks } from './shutdown-hooks.js';

export interface ServiceOptions {
  /** The service's name in logs, e.g. `trainer`. */
  readonly name: string;
  /** The app's Nest module: its controllers implement `services`. */
  readonly module: Type<unknown> | DynamicModule;
  /** The coin.v1 services it serves. */
  readonly services: readonly CoinServiceName[];
  /** TCP port; 0 picks a free one (the bound port is logged and returned). */
  readonly port: number;
  /** Interface to listen on (default 0.0.0.0). */
  readonly host?: string;
  /** Where COIN_* settings are read (default process.env); tests pass their own. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A JSON config file (else COIN_CONFIG, else none). */
  readonly configFile?: string;
  /** Where log lines go (default stderr). */
  readonly logDestination?: NodeJS.WritableStream;
  /** How long shutdown waits for calls and work in flight before abandoning them (default 10 s). */
  readonly shutdownDeadlineMs?: number;
  /**
   * An event bus owned by the caller, e.g. one InProcessEventBus shared by several services of a test
   * process; it is not closed on shutdown. Default: the configuration's (createEventBus), closed last.
   */
  readonly bus?: EventBus;
}

export interface RunningService {
  readonly name: string;
  /** `host:port` as bound, e.g. `127.0.0.1:41233`. */
  readonly address: string;
  readonly port: number;
  readonly config: CoinConfig;
  readonly store: ObjectStore;
  readonly bus: EventBus;
  readonly logger: Logger;
  readonly app: INestMicroservice;
  /**
   * Graceful shutdown (idempotent): health NOT_SERVING, stop accepting calls and work, drain the work
   * in flight (ShutdownHooks) within the deadline, close the app, then close the bus if it is the
   * service's own. Resolves when all of it is done.
   */
  shutdown(reason?: string): Promise<void>;
}

/**
 * Throws CONFIG.* (INVALID_ARGUMENT) for a bad config, CONFIG.NO_EVENT_BUS without brokers or a
 * `bus`, STORE.S3_* for unusable S3 settings — all before anything listens.
 */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const env = options.env ?? process.env;
  const config = loadConfig(env, options.configFile);
  const logger = createLogger({
    level: config.log.level,
    format: config.log.format,
    name: options.name,
    ...(options.logDestination ? { destination: options.logDestination } : {}),
  });
  const store = createObjectStore(config);
  const ownBus = options.bus === undefined;
  const bus = options.bus ?? createEventBus(config, logger);
  const closeBus = async () => {
    if (ownBus) await bus.close().catch((e: unknown) => logger.warn({ err: e }, 'closing the event bus failed'));
  };
  const hooks = new ShutdownHooks();
  /** A start that failed: what the modules began (unit servers, resumed runs) stops at once, then the bus. */
  const abandon = async () => {
    await hooks.drain(new AbortController().signal, logger, 0);
    await closeBus();
  };
  const context: ServiceContext = {
    name: options.name,
    config,
    store,
    bus,
    logger,
    cacheDir: join(config.storeDir, 'work'),
    session: { threads: config.runtime.threads, executionProvider: config.runtime.executionProvider },
    shutdown: hooks,
    env,
  };
  const names = options.services.map(qualifiedName);
  const health = new ServiceHealth(names);
  const host = options.host ?? '0.0.0.0';
  const transport = new CoinGrpcServer({
    package: GRPC_PACKAGE,
    protoPath: options.services.map((s) => SERVICE_FILES[s]),
    loader: GRPC_LOADER_OPTIONS,
    url: `${host}:${options.port}`,
    onLoadPackageDefinition: (definition: PackageDefinition, server) => {
      health.addToServer(server);
      addReflection(definition, server);
    },
  });
  let app: INestMicroservice;
  try {
    app = await NestFactory.createMicroservice(HostModule.wrap(context, options.module), {
      strategy: transport,
      logger: new NestPinoLogger(logger),
      abortOnError: false,
    });
  } catch (e) {
    await abandon();
    throw e;
  }
  app.useGlobalFilters(new CoinErrorFilter(logger));
  try {
    await app.listen();
  } catch (e) {
    await abandon();
    await app.close().catch(() => {});
    if (isCoinError(e)) throw e;
    throw new CoinError(
      'SERVICE.LISTEN_FAILED',
      'UNAVAILABLE',
      `${options.name} cannot listen on ${host}:${options.port}: ${(e as Error).message}`,
      {
        hint: 'choose another --port (0 picks a free one) or stop the process holding it',
        cause: e,
      },
    );
  }
  const port = transport.port!;
  const address = `${host}:${port}`;
  health.set('SERVING');
  logger.info(
    { address, port, services: names, store: store.url, bus: ownBus ? busName(config) : 'shared', mode: config.mode },
    'listening',
  );

  let stopping: Promise<void> | undefined;
  const shutdown = (reason = 'requested') => {
    stopping ??= (async () => {
      const deadlineMs = options.shutdownDeadlineMs ?? 10_000;
      logger.info({ reason, deadlineMs }, 'shutting down: health NOT_SERVING, draining');
      health.set('NOT_SERVING');
      // A timer of our own, not AbortSignal.timeout: that one does not keep the process alive.
      const expiry = new AbortController();
      const timer = setTimeout(() => expiry.abort(), deadlineMs);
      const deadline = expiry.signal;
      const [, clean] = await Promise.all([
        hooks.drain(deadline, logger, deadlineMs),
        transport.drain(deadline),
      ]).finally(() => clearTimeout(timer));
      if (!clean) logger.warn('shutdown deadline passed: calls still open were cut');
      await app.close();
      await closeBus();
      logger.info('stopped');
    })();
    return stopping;
  };
  return { name: options.name, address, port, config, store, bus, logger, app, shutdown };
}

function busName(config: CoinConfig): string {
  return `kafka://${config.kafka.brokers.join(',')}`;
}
