/**
 * What the host gives every service's providers and controllers (inject `SERVICE_CONTEXT`): the
 * validated config, the object store and event bus it selects, the logger, the local work folder, ONNX Runtime
 * session options and the shutdown hooks.
 */
import type { CoinConfig, EventBus, Logger, ObjectStore } from '@coin/platform';
import type { ShutdownHooks } from './shutdown-hooks.js';

export const SERVICE_CONTEXT = Symbol('coin.service-context');

export interface ServiceContext {
  /** The service's name, e.g. `trainer` (log lines carry it). */
  readonly name: string;
  readonly config: CoinConfig;
  readonly store: ObjectStore;
  /** How the services reach each other: Kafka (`kafka.brokers`), or the bus a test handed startService. */
  readonly bus: EventBus;
  readonly logger: Logger;
  /** Local folder for materialised units and scratch work (`<storeDir>/work`). */
  readonly cacheDir: string;
  readonly session: { readonly threads: number; readonly executionProvider: 'cpu' | 'cuda' };
  readonly shutdown: ShutdownHooks;
  /** The environment the service started with (API keys named by a spec are read from it). */
  readonly env: Readonly<Record<string, string | undefined>>;
}
