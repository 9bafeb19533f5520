/**
 * The five services started in this test process on one store and one event bus — as `coin stack
 * up` runs them as processes — and a micro run submitted through the orchestrator's gRPC API and
 * followed with WatchRun to its end, next to the same spec run embedded (executeRun with the
 * in-process runner) for the matrices it must equal.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import {
  BenchmarkServiceClient,
  CreateRunRequest,
  type CreateRunResponse,
  type GetRunResponse,
  type WatchRunResponse,
} from '@coin/contracts';
import { DataPrepModule } from '@coin/data-prep';
import { EvaluatorModule } from '@coin/evaluator';
import { JudgeModule } from '@coin/judge';
import { OrchestratorModule } from '@coin/orchestrator';
import {
  executeRun,
  inProcessRunner,
  METHOD_CATALOGUE,
  resolveRunSpec,
  type RunResults,
  type RunSpec,
  runSpecToProto,
} from '@coin/pipeline';
import { type EventBus, FilesystemObjectStore } from '@coin/platform';
import type { CoinServiceName } from '@coin/service-host';
import { startForTest, type TestService } from '@coin/service-host/testing';
import { TrainerModule } from '@coin/trainer';

/** `coin run --preset micro` on two tasks of a small world (as libs/pipeline's bus-run test). */
export const microSpec = (seed: number): RunSpec =>
  resolveRunSpec(
    {
      preset: 'micro',
      order: 'ImageNet,VQAv2',
      seed,
      world: { train: 24, test: 8, pretrain: 16 },
      pretrainSteps: 40,
    },
    METHOD_CATALOGUE,
  );

const SERVICES: readonly { name: string; module: unknown; services: CoinServiceName[] }[] = [
  { name: 'orchestrator', module: OrchestratorModule.register(), services: ['BenchmarkService', 'OperationsService'] },
  { name: 'data-prep', module: DataPrepModule, services: ['DataPrepService'] },
  { name: 'trainer', module: TrainerModule, services: ['TrainerService'] },
  { name: 'evaluator', module: EvaluatorModule, services: ['EvaluatorService'] },
  { name: 'judge', module: JudgeModule, services: ['JudgeService'] },
];

export interface FiveServices {
  readonly services: ReadonlyMap<string, TestService>;
  readonly orchestrator: TestService;
  readonly bench: BenchmarkServiceClient;
  stop(): Promise<void>;
}

/**
 * Starts the five services on `storeDir` (their work folders under it too), with `bus` shared, or
 * with the bus and store their configuration (`env`: COIN_KAFKA_*, COIN_S3_*) makes, each its own.
 */
export async function startFiveServices(options: {
  readonly storeDir: string;
  readonly bus?: EventBus;
  readonly env?: Readonly<Record<string, string>>;
}): Promise<FiveServices> {
  const started = new Map<string, TestService>();
  const stopAll = () => Promise.all([...started.values()].map((s) => s.stop()));
  try {
    const start = async (s: (typeof SERVICES)[number]) =>
      started.set(
        s.name,
        await startForTest({
          name: s.name,
          module: s.module as never,
          services: s.services,
          storeDir: options.storeDir,
          ...(options.bus ? { bus: options.bus } : {}),
          ...(options.env ? { env: options.env } : {}),
        }),
      );
    // Workers first (subscribed before the first request; together, as Kafka groups join slowly), then the orchestrator.
    const workers = await Promise.allSettled(SERVICES.slice(1).map(start));
    const failed = workers.find((w) => w.status === 'rejected');
    if (failed) throw failed.reason;
    await start(SERVICES[0]);
  } catch (e) {
    await stopAll();
    throw e;
  }
  const orchestrator = started.get('orchestrator')!;
  const bench = new BenchmarkServiceClient(orchestrator.address, credentials.createInsecure());
  return {
    services: started,
    orchestrator,
    bench,
    async stop() {
      bench.close();
      await stopAll();
    },
  };
}

export function unary<Req, Res>(call: (r: Req, cb: (e: ServiceError | null, r: Res) => void) => void, request: Req) {
  return new Promise<Res>((resolve, reject) => call(request, (e, r) => (e ? reject(e) : resolve(r))));
}

/** CreateRun with the spec on the wire, then every WatchRun message until the stream ends. */
export async function submitAndWatch(
  bench: BenchmarkServiceClient,
  spec: RunSpec,
): Promise<{ created: CreateRunResponse; messages: WatchRunResponse[]; final: GetRunResponse }> {
  const created = await unary<CreateRunRequest, CreateRunResponse>(
    bench.createRun.bind(bench),
    CreateRunRequest.fromPartial({ requestId: 'test', spec: runSpecToProto(spec) }),
  );
  const name = created.run!.name;
  const messages: WatchRunResponse[] = [];
  for await (const m of bench.watchRun({ name, includeSteps: true })) messages.push(m as WatchRunResponse);
  const final = await unary<{ name: string }, GetRunResponse>(bench.getRun.bind(bench), { name });
  return { created, messages, final };
}

/** The same spec run embedded in a store of its own (removed after). */
export async function embeddedRun(spec: RunSpec): Promise<RunResults> {
  const dir = await mkdtemp(join(tmpdir(), 'coin-embedded-'));
  try {
    const store = new FilesystemObjectStore(join(dir, 'store'));
    const env = { store, cacheDir: join(dir, 'cache'), session: { threads: 1 } };
    return await executeRun(spec, { store, runner: inProcessRunner(env), env });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
