/**
 * A worker service's work (docs/protocol.md#runs-over-the-event-bus): while the service runs it
 * computes the units of its kinds that the orchestrator requests on the bus (`serveUnits`, consumer
 * group = the service's name, the context's store, work folder and session). On shutdown the unit in
 * flight finishes within the deadline, or is stopped and its request handed back (not committed, so
 * the bus delivers it again, to another replica or to this service restarted).
 *
 * With `kubernetes.trainerImage` set, the kinds in `jobKinds` (the trainer's `pretrain` and `stage`)
 * run each as a Kubernetes Job on a worker pod (docs/protocol.md#worker-pods) instead of in this
 * process; the service still checks the manifest, relays nothing the pod does not publish, and
 * announces the completion. On shutdown the Job is left running for the replica that takes the
 * request next (same Job name: it joins it).
 */
import { resolve } from 'node:path';
import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type JobScheduler, openKubernetesScheduler } from '@coin/platform';
import {
  type BusUnitKind,
  schedulerRunner,
  type ServedUnit,
  serveUnits,
  type UnitRunner,
  type UnitServer,
  type WorkerEnvSpec,
} from '@coin/pipeline';
import { SERVICE_CONTEXT, type ServiceContext } from './service-context.js';

export interface UnitWorkerOptions {
  /** The unit kinds the service computes: data-prep `prep`, trainer `pretrain` + `stage`, … */
  readonly kinds: readonly BusUnitKind[];
  /** Kinds run as Kubernetes Jobs when `kubernetes.trainerImage` is set (else in this process). */
  readonly jobKinds?: readonly BusUnitKind[];
  /** Deliveries of a request before a retryable failure is reported (serveUnits' default 3). */
  readonly maxAttempts?: number;
  /** Backoff before a redelivery, ms (serveUnits' default 100). */
  readonly retryBackoffMs?: number;
}

const UNIT_WORKER_OPTIONS = Symbol('coin.unit-worker-options');

/** Share of the host's shutdown deadline the unit in flight may use before it is handed back. */
const FINISH_SHARE = 0.8;

@Injectable()
class UnitWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  #server: UnitServer | undefined;
  #scheduler: JobScheduler | undefined;

  constructor(
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext,
    @Inject(UNIT_WORKER_OPTIONS) private readonly options: UnitWorkerOptions,
  ) {
    ctx.shutdown.onShutdown('units', (_deadline, deadlineMs) => this.close(Math.floor(deadlineMs * FINISH_SHARE)));
  }

  async onApplicationBootstrap(): Promise<void> {
    const { ctx, options } = this;
    const log = ctx.logger.child({ component: 'units' });
    const runners = await this.jobRunners(log);
    this.#server = await serveUnits(
      ctx.bus,
      { store: ctx.store, cacheDir: ctx.cacheDir, session: ctx.session },
      {
        kinds: options.kinds,
        group: ctx.name,
        producer: ctx.name,
        ...(runners === undefined ? {} : { runners }),
        ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
        ...(options.retryBackoffMs !== undefined ? { retryBackoffMs: options.retryBackoffMs } : {}),
        onUnit: (u: ServedUnit) => {
          const line = {
            run: u.runId,
            kind: u.kind,
            unit: u.label,
            key: u.key,
            outcome: u.outcome,
            wall_s: u.wall_s,
            ...(u.firstStep !== undefined ? { first_step: u.firstStep } : {}),
          };
          if (u.outcome === 'failed') log.warn({ ...line, err: u.error }, 'unit failed');
          else log.info(line, `unit ${u.outcome}`);
        },
      },
    );
    log.info({ kinds: options.kinds, group: ctx.name }, 'serving units');
  }

  /**
   * The runners of `jobKinds` when the config names a worker image: one KubernetesJobScheduler
   * (loaded only then: @kubernetes/client-node would cost every other service start-up time).
   */
  private async jobRunners(
    log: ServiceContext['logger'],
  ): Promise<Partial<Record<BusUnitKind, UnitRunner>> | undefined> {
    const { config } = this.ctx;
    const kinds = this.options.jobKinds ?? [];
    if (kinds.length === 0) return undefined;
    const settings = config.kubernetes;
    if (settings.trainerImage === undefined) {
      log.info({ kinds }, 'units run in this process (no kubernetes.trainerImage)');
      return undefined;
    }
    this.#scheduler = await openKubernetesScheduler({
      settings,
      onWatchError: (err, retryInMs) => log.warn({ err, retry_in_ms: retryInMs }, 'Kubernetes Job watch failed'),
    });
    // The pod finds the store as this service does: the same folder, or S3 from its own config.
    const env: WorkerEnvSpec = {
      store: config.s3.endpoint === undefined ? { kind: 'fs', root: resolve(config.storeDir) } : { kind: 's3' },
    };
    const runner = schedulerRunner(this.#scheduler, env, { onAbort: 'leave' });
    log.info(
      { kinds, image: settings.trainerImage, namespace: settings.namespace, gpus: settings.gpus },
      'units run as Kubernetes Jobs',
    );
    return Object.fromEntries(kinds.map((k) => [k, runner]));
  }

  /** A safety net when the app closes without the host's shutdown (a failed start). */
  async onApplicationShutdown(): Promise<void> {
    await this.close(0);
  }

  private async close(deadlineMs: number): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    await server?.close({ deadlineMs });
    const scheduler = this.#scheduler;
    this.#scheduler = undefined;
    await scheduler?.close();
  }
}

@Module({})
export class UnitWorkerModule {
  /** Import into a worker service's module: it serves `options.kinds` while the service runs. */
  static serve(options: UnitWorkerOptions): DynamicModule {
    return {
      module: UnitWorkerModule,
      providers: [{ provide: UNIT_WORKER_OPTIONS, useValue: options }, UnitWorker],
    };
  }
}
