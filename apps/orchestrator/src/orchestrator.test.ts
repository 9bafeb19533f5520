import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { credentials, type ServiceError, status } from '@grpc/grpc-js';
import {
  BenchmarkServiceClient,
  CreateRunRequest,
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

/** A micro run small enough for a test: see apps/coin's run.test.ts. */
const SMALL = { world: { train: 24, test: 8, pretrain: 16 }, pretrainSteps: 40 };
const TASKS = ['ImageNet', 'VQAv2'];

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
      module: OrchestratorModule.register({ specDefaults: SMALL }),
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
      [{ spec: { preset: Preset.PRESET_MICRO } }, /spec\.method is required/, 'RUN.BAD_FLAG'],
      [{ spec: { method: Method.METHOD_LORA, taskOrder: ['ImageNet', 'Chess'] } }, /Chess/, 'TASK_ORDER.UNKNOWN_TASK'],
      [{ spec: { method: Method.METHOD_LORA, dataFraction: 1.5 } }, /fraction must be in \(0, 1\]/, 'RUN.BAD_FLAG'],
      [
        { spec: { method: Method.METHOD_LORA, methodParameters: { ewc: { lambda: 3 } } } },
        /method_parameters\.ewc is set but the method is lora/,
        'RUN.BAD_FLAG',
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
  it('a micro run: CreateRun, then WatchRun streams its progress to SUCCEEDED with every accuracy cell', async () => {
    const spec = { method: Method.METHOD_LORA, preset: Preset.PRESET_MICRO, taskOrder: TASKS, seed: 1 };
    const created = await createRun({ requestId: 'r1', spec: spec });
    runName = created.run!.name;
    assert.match(runName, /^runs\/lora-micro-s1-/);
    assert.equal(created.operation?.name, `operations/${runName.slice(5)}`);
    assert.equal(created.operation?.done, false);
    // The same spec again is the same run.
    assert.equal((await createRun({ requestId: 'r2', spec: spec })).run?.name, runName);

    const messages: WatchRunResponse[] = [];
    for await (const m of bench.watchRun({ name: runName, includeSteps: false })) messages.push(m as WatchRunResponse);
    const last = messages.at(-1)!;
    assert.equal(last.progress?.state, State.STATE_SUCCEEDED, last.progress?.message);
    assert.equal(last.progress?.completedUnits, last.progress?.totalUnits);
    assert.equal(last.progress?.totalUnits, 2 + 3 + 3, 'two stages, three eval and three judge cells');
    assert.deepEqual(
      messages.filter((m) => m.stage).map((m) => [m.stage!.index, m.stage!.state]),
      [
        [1, State.STATE_SUCCEEDED],
        [2, State.STATE_SUCCEEDED],
      ],
    );
    assert.equal(messages.filter((m) => m.evalCell).length, 3);
    assert.equal(messages.filter((m) => m.judgeCell).length, 3);
    const run = last.run!;
    assert.equal(run.state, State.STATE_SUCCEEDED);
    assert.deepEqual(
      run.evalCells.map((c) => [c.stageIndex, c.taskIndex, c.task]),
      [
        [1, 1, 'ImageNet'],
        [2, 1, 'ImageNet'],
        [2, 2, 'VQAv2'],
      ],
    );
    for (const c of run.evalCells) {
      assert.ok(c.accuracy >= 0 && c.accuracy <= 100, String(c.accuracy));
      assert.equal(c.sampleCount, 8);
    }
    assert.equal(run.judgeCells.length, 3);
    assert.ok(run.metrics && Number.isFinite(run.metrics.finalAverageAccuracy));
    assert.equal(run.reportUri, `${runName}/results.json`);
    // Progress counts only ever grow.
    const done = messages.map((m) => m.progress!.completedUnits);
    assert.deepEqual(
      done,
      [...done].sort((a, b) => a - b),
    );
  });

  it('GetRun, ListRuns and GetOperation see the finished run', async () => {
    const { run } = await unary<{ name: string }, GetRunResponse>(bench.getRun.bind(bench), { name: runName });
    assert.equal(run?.state, State.STATE_SUCCEEDED);
    assert.deepEqual(
      run?.stages.map((s) => [s.task, s.state, s.steps > 0]),
      [
        ['ImageNet', State.STATE_SUCCEEDED, true],
        ['VQAv2', State.STATE_SUCCEEDED, true],
      ],
    );
    assert.deepEqual(run?.spec?.taskOrder, TASKS);
    const list = await unary<ListRunsRequest, ListRunsResponse>(bench.listRuns.bind(bench), {
      pageSize: 0,
      pageToken: '',
      state: State.STATE_SUCCEEDED,
      sweep: '',
    });
    assert.deepEqual(
      list.runs.map((r) => r.name),
      [runName],
    );
    assert.equal(list.totalSize, 1);
    const { operation } = await unary<{ name: string }, GetOperationResponse>(ops.getOperation.bind(ops), {
      name: `operations/${runName.slice(5)}`,
    });
    assert.equal(operation?.done, true);
    assert.equal(operation?.response?.run?.evalCells.length, 3);
  });

  it('shutdown: health NOT_SERVING, then the server stops', async () => {
    const watch = watchHealth(t.address, 'coin.v1.BenchmarkService');
    await watch.until('SERVING');
    const stopped = t.service.shutdown('test');
    await watch.until('NOT_SERVING');
    watch.stop();
    await stopped;
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
});
