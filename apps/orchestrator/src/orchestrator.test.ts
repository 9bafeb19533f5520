import 'reflect-metadata';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { credentials, type ServiceError, status } from '@grpc/grpc-js';
import {
  BenchmarkServiceClient,
  type CancelRunResponse,
  type CancelSweepResponse,
  CreateRunRequest,
  CreateSweepRequest,
  type CreateSweepResponse,
  type GetSweepResponse,
  type ListSweepsRequest,
  type ListSweepsResponse,
  type CreateRunResponse,
  type GetRunResponse,
  type ListRunsRequest,
  type ListRunsResponse,
  Method,
  OperationsServiceClient,
  type GetOperationResponse,
  Preset,
  State,
  type WatchRunResponse,
} from '@coin/contracts';
import {
  checkHealth,
  reflectedServices,
  spawnService,
  startForTest,
  type TestService,
  watchHealth,
} from '@coin/service-host/testing';
import { errorInfoFromMetadata } from '@coin/service-host';
import { OrchestratorModule } from './orchestrator.module.js';

/** A micro run small enough for a test (see apps/coin's run.test.ts); no worker computes it here. */
const TASKS = ['ImageNet', 'VQAv2'];
const SPEC = {
  method: Method.METHOD_LORA,
  preset: Preset.PRESET_MICRO,
  taskOrder: TASKS,
  seed: 1,
  worldSize: { trainPerTask: 24, testPerTask: 8, pretrainPerTask: 16 },
  pretrainSteps: 40,
};

/** A CreateRunRequest as a test writes it (fromPartial fills in the rest). */
interface RequestInput {
  readonly requestId?: string;
  readonly runId?: string;
  readonly spec?: Readonly<Record<string, unknown>>;
}

function unary<Req, Res>(call: (r: Req, cb: (e: ServiceError | null, r: Res) => void) => void, request: Req) {
  return new Promise<Res>((resolve, reject) => call(request, (e, r) => (e ? reject(e) : resolve(r))));
}

describe('orchestrator: BenchmarkService over gRPC', () => {
  let t: TestService;
  let bench: BenchmarkServiceClient;
  let ops: OperationsServiceClient;
  before(async () => {
    t = await startForTest({
      name: 'orchestrator',
      module: OrchestratorModule.register(),
      services: ['BenchmarkService', 'OperationsService'],
    });
    bench = new BenchmarkServiceClient(t.address, credentials.createInsecure());
    ops = new OperationsServiceClient(t.address, credentials.createInsecure());
  });
  after(async () => {
    bench?.close();
    ops?.close();
    await t?.stop();
  });
  const createRun = (r: RequestInput) =>
    unary<CreateRunRequest, CreateRunResponse>(
      bench.createRun.bind(bench),
      CreateRunRequest.fromPartial(r as Parameters<typeof CreateRunRequest.fromPartial>[0]),
    );

  it('serves health and reflection for both of its services', async () => {
    for (const s of ['', 'coin.v1.BenchmarkService', 'coin.v1.OperationsService'])
      assert.equal(await checkHealth(t.address, s), 'SERVING', s);
    const names = await reflectedServices(t.address);
    for (const s of ['coin.v1.BenchmarkService', 'coin.v1.OperationsService', 'grpc.health.v1.Health'])
      assert.ok(names.includes(s), names.join());
  });

  it('CreateRun: an invalid spec is INVALID_ARGUMENT with the flag’s message and code', async () => {
    const cases: [RequestInput, RegExp, string][] = [
      [
        { spec: { method: Method.METHOD_LORA, dataSource: 'http://elsewhere' } },
        /data_source/,
        'RUN.UNSUPPORTED_FIELD',
      ],
      [{ spec: { method: Method.METHOD_LORA, evalSampleLimit: 10 } }, /eval_sample_limit/, 'RUN.UNSUPPORTED_FIELD'],
      [{ spec: { method: Method.METHOD_LORA, taskOrder: ['ImageNet', 'Chess'] } }, /Chess/, 'TASK_ORDER.UNKNOWN_TASK'],
      [{ spec: { method: Method.METHOD_LORA, dataFraction: 1.5 } }, /fraction must be in \(0, 1\]/, 'RUN.BAD_FLAG'],
      [
        { spec: { method: Method.METHOD_LORA, methodParameters: { ewc: { lambda: 3 } } } },
        /methodParameters\.ewc\.lambda: method lora has no such setting/,
        'RUN.UNSUPPORTED_FIELD',
      ],
      [{ runId: 'mine', spec: { method: Method.METHOD_LORA } }, /differs from the id/, 'RUN.ID_MISMATCH'],
    ];
    for (const [request, message, code] of cases)
      await assert.rejects(createRun(request), (e: ServiceError) => {
        assert.equal(e.code, status.INVALID_ARGUMENT, e.details);
        assert.match(e.details, message);
        assert.equal(errorInfoFromMetadata(e.metadata)?.code, code);
        return true;
      });
  });

  it('GetRun of an unknown run is NOT_FOUND; a malformed name INVALID_ARGUMENT', async () => {
    await assert.rejects(
      unary<{ name: string }, GetRunResponse>(bench.getRun.bind(bench), { name: 'runs/nope' }),
      (e: ServiceError) => e.code === status.NOT_FOUND,
    );
    await assert.rejects(
      unary<{ name: string }, GetRunResponse>(bench.getRun.bind(bench), { name: 'nope' }),
      (e: ServiceError) => e.code === status.INVALID_ARGUMENT,
    );
  });

  let runName = '';
  it('CreateRun starts a run that waits for its workers; the same spec again is the same run', async () => {
    const created = await createRun({ requestId: 'r1', spec: SPEC });
    runName = created.run!.name;
    assert.match(runName, /^runs\/lora-micro-s1-/);
    assert.equal(created.operation?.name, `operations/${runName.slice(5)}`);
    assert.equal(created.operation?.done, false);
    assert.equal((await createRun({ requestId: 'r2', spec: SPEC })).run?.name, runName);
    const { run } = await unary<{ name: string }, GetRunResponse>(bench.getRun.bind(bench), { name: runName });
    assert.ok([State.STATE_PENDING, State.STATE_RUNNING].includes(run!.state), String(run?.state));
    assert.deepEqual(run?.spec?.taskOrder, TASKS);
    assert.equal(run?.spec?.worldSize?.trainPerTask, 24, 'the world size travels in the spec');
  });

  it('WatchRun follows it; CancelRun ends it CANCELLED and the stream with the cancelled run', async () => {
    const messages: WatchRunResponse[] = [];
    const stream = bench.watchRun({ name: runName, includeSteps: false });
    const watched = (async () => {
      for await (const m of stream) messages.push(m as WatchRunResponse);
    })();
    const deadline = Date.now() + 10_000;
    while (!messages.some((m) => m.progress?.state === State.STATE_RUNNING) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    assert.ok(
      messages.some((m) => m.progress?.state === State.STATE_RUNNING),
      messages.map((m) => m.progress?.message).join('; '),
    );
    const { run } = await unary<{ name: string }, CancelRunResponse>(bench.cancelRun.bind(bench), { name: runName });
    assert.equal(run?.state, State.STATE_CANCELLED);
    await watched;
    const last = messages.at(-1)!;
    assert.equal(last.progress?.state, State.STATE_CANCELLED);
    assert.equal(last.run?.state, State.STATE_CANCELLED);
    assert.ok(
      messages.slice(0, -1).every((m) => m.run === undefined),
      'only the last message carries the run',
    );
    const { operation } = await unary<{ name: string }, GetOperationResponse>(ops.getOperation.bind(ops), {
      name: `operations/${runName.slice(5)}`,
    });
    assert.equal(operation?.done, true);
    assert.equal(operation?.error?.code, 'OPERATION.CANCELLED');
    const list = await unary<ListRunsRequest, ListRunsResponse>(bench.listRuns.bind(bench), {
      pageSize: 0,
      pageToken: '',
      state: State.STATE_CANCELLED,
      sweep: '',
    });
    assert.deepEqual(
      list.runs.map((r) => r.name),
      [runName],
    );
  });

  it('WatchRun, CancelRun and CancelOperation of an unknown run are NOT_FOUND', async () => {
    await assert.rejects(
      (async () => {
        for await (const _ of bench.watchRun({ name: 'runs/nope', includeSteps: true }));
      })(),
      (e: ServiceError) => e.code === status.NOT_FOUND,
    );
    await assert.rejects(
      unary<{ name: string }, CancelRunResponse>(bench.cancelRun.bind(bench), { name: 'runs/nope' }),
      (e: ServiceError) => e.code === status.NOT_FOUND,
    );
    await assert.rejects(
      unary<{ name: string }, GetOperationResponse>(ops.cancelOperation.bind(ops), { name: 'operations/nope' }),
      (e: ServiceError) => e.code === status.NOT_FOUND,
    );
  });

  it('sweeps: CreateSweep (validate_only, bad grid, bounded), GetSweep, ListSweeps, ListRuns of a sweep, CancelSweep', async () => {
    const createSweep = (r: Readonly<Record<string, unknown>>) =>
      unary<CreateSweepRequest, CreateSweepResponse>(
        bench.createSweep.bind(bench),
        CreateSweepRequest.fromPartial(r as Parameters<typeof CreateSweepRequest.fromPartial>[0]),
      );
    const getSweep = (name: string) => unary<{ name: string }, GetSweepResponse>(bench.getSweep.bind(bench), { name });
    const grid = { seeds: [5, 6, 7] };

    const checked = await createSweep({ grid, base: SPEC, validateOnly: true });
    assert.equal(checked.operation, undefined);
    const name = checked.sweep!.name;
    assert.match(name, /^sweeps\/sweep-lora-3r-[0-9a-f]{10}$/);
    assert.deepEqual(
      checked.sweep?.runs.map((r) => r.replace(/-[0-9a-f]{10}$/, '')),
      ['runs/lora-micro-s5', 'runs/lora-micro-s6', 'runs/lora-micro-s7'],
    );
    await assert.rejects(getSweep(name), (e: ServiceError) => e.code === status.NOT_FOUND);
    await assert.rejects(getSweep('nope'), (e: ServiceError) => e.code === status.INVALID_ARGUMENT);
    await assert.rejects(
      createSweep({ grid: { seeds: [1], presets: [Preset.PRESET_MICRO], baseModels: ['/b'] }, base: SPEC }),
      (e: ServiceError) => {
        assert.equal(e.code, status.INVALID_ARGUMENT);
        assert.equal(errorInfoFromMetadata(e.metadata)?.code, 'SWEEP.BAD_GRID');
        return true;
      },
    );

    const created = await createSweep({ grid, base: SPEC });
    assert.equal(created.sweep?.name, name);
    assert.equal(created.operation?.name, `operations/${name.slice(7)}`);
    assert.equal(created.operation?.done, false);
    assert.equal((created.sweep?.runStates.PENDING ?? 0) + (created.sweep?.runStates.RUNNING ?? 0), 3);
    const inSweep = await unary<ListRunsRequest, ListRunsResponse>(bench.listRuns.bind(bench), {
      pageSize: 0,
      pageToken: '',
      state: State.STATE_UNSPECIFIED,
      sweep: name,
    });
    assert.deepEqual(
      inSweep.runs.map((r) => r.name).sort(),
      created.sweep!.runs.slice(0, 2).sort(),
      'two runs in flight (sweeps.maxActiveRuns 2), the third waits',
    );
    const listed = await unary<ListSweepsRequest, ListSweepsResponse>(bench.listSweeps.bind(bench), {
      pageSize: 0,
      pageToken: '',
      state: State.STATE_RUNNING,
    });
    assert.deepEqual(
      listed.sweeps.map((x) => x.name),
      [name],
    );
    const { operation } = await unary<{ name: string }, GetOperationResponse>(ops.getOperation.bind(ops), {
      name: `operations/${name.slice(7)}`,
    });
    assert.equal(operation?.target, name);

    const { sweep } = await unary<{ name: string }, CancelSweepResponse>(bench.cancelSweep.bind(bench), { name });
    assert.equal(sweep?.state, State.STATE_CANCELLED);
    assert.deepEqual(sweep?.runStates, { CANCELLED: 3 });
    assert.equal((await getSweep(name)).sweep?.state, State.STATE_CANCELLED);
    await assert.rejects(
      unary<{ name: string }, CancelSweepResponse>(bench.cancelSweep.bind(bench), { name: 'sweeps/nope' }),
      (e: ServiceError) => e.code === status.NOT_FOUND,
    );
  });

  it('shutdown mid-run: watches end UNAVAILABLE, the run stays RUNNING and the next orchestrator resumes it', async () => {
    const spec = { ...SPEC, seed: 2 };
    const { run } = await createRun({ spec });
    const stream = bench.watchRun({ name: run!.name, includeSteps: true });
    const seen: WatchRunResponse[] = [];
    const watched = (async () => {
      for await (const m of stream) seen.push(m as WatchRunResponse);
    })();
    while (seen.length === 0) await new Promise((r) => setTimeout(r, 10));
    const health = watchHealth(t.address, 'coin.v1.BenchmarkService');
    await health.until('SERVING');
    const stopped = t.service.shutdown('test');
    await health.until('NOT_SERVING');
    health.stop();
    await assert.rejects(watched, (e: ServiceError) => {
      assert.equal(e.code, status.UNAVAILABLE, e.details);
      assert.equal(errorInfoFromMetadata(e.metadata)?.code, 'RUN.WATCH_INTERRUPTED');
      return true;
    });
    await stopped;
    const id = run!.name.slice(5);
    const stored = JSON.parse(await readFile(join(t.storeDir, 'runs', id, 'run.json'), 'utf8')) as { state: string };
    assert.equal(stored.state, 'RUNNING', 'left for the next orchestrator');

    const next = await startForTest({
      name: 'orchestrator',
      module: OrchestratorModule.register(),
      services: ['BenchmarkService', 'OperationsService'],
      storeDir: t.storeDir,
    });
    try {
      assert.ok(next.logs().some((l) => l.msg === 'resuming an unfinished run' && l.run === id));
      const client = new BenchmarkServiceClient(next.address, credentials.createInsecure());
      const again = await unary<{ name: string }, GetRunResponse>(client.getRun.bind(client), { name: run!.name });
      assert.equal(again.run?.state, State.STATE_RUNNING);
      client.close();
    } finally {
      await next.stop();
    }
  });
});
describe('orchestrator process', () => {
  it('a bad COIN_* setting exits 2 with one clear paragraph', async () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const r = await spawnService(main, ['--port', '0'], { COIN_THREADS: 'many' }).done;
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^orchestrator: invalid configuration: runtime\.threads: .* \[CONFIG\.INVALID\]\n  hint: /);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });

  it('without Kafka brokers it does not start: exit 1, CONFIG.NO_EVENT_BUS', async () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const r = await spawnService(main, ['--port', '0'], { COIN_KAFKA_BROKERS: '' }).done;
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^orchestrator: no event bus: .*\[CONFIG\.NO_EVENT_BUS\]\n  hint: set COIN_KAFKA_BROKERS/);
  });
});
