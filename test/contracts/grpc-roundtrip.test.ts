// The grpc-js flavour of the generated contracts over a real socket: a @grpc/grpc-js server built
// from BenchmarkServiceService, called through the generated BenchmarkServiceClient.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Server, ServerCredentials, credentials, status, type ServiceError } from '@grpc/grpc-js';
import {
  BenchmarkServiceClient,
  BenchmarkServiceService,
  CreateRunRequest,
  Method,
  Preset,
  State,
  type BenchmarkServiceServer,
  type CreateRunResponse,
  type WatchRunResponse,
} from '@coin/contracts';
import { SpecError, TinyBenchmark } from './fixtures/tiny-benchmark.js';

function unimplemented(_call: unknown, callback: (e: Partial<ServiceError>) => void): void {
  callback({ code: status.UNIMPLEMENTED, details: 'not in the test server' });
}

function serverFor(bench: TinyBenchmark): BenchmarkServiceServer {
  return {
    createRun(call, callback) {
      try {
        callback(null, bench.createRun(call.request));
      } catch (e) {
        if (!(e instanceof SpecError)) throw e;
        callback({ code: status.INVALID_ARGUMENT, details: e.message });
      }
    },
    watchRun(call) {
      const messages = bench.watch(call.request.name);
      if (!messages) {
        // grpc-js sends an 'error' emitted on a server stream as the call's status.
        call.emit('error', { code: status.NOT_FOUND, details: `${call.request.name} not found` });
        return;
      }
      for (const m of messages) call.write(m);
      call.end();
    },
    getRun: unimplemented,
    listRuns: unimplemented,
    cancelRun: unimplemented,
    createSweep: unimplemented,
    getSweep: unimplemented,
    listSweeps: unimplemented,
    cancelSweep: unimplemented,
  };
}

describe('grpc-js flavour: BenchmarkService over a socket', () => {
  const server = new Server();
  let client: BenchmarkServiceClient;

  before(async () => {
    server.addService(BenchmarkServiceService, serverFor(new TinyBenchmark()));
    const port = await new Promise<number>((res, rej) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
    );
    client = new BenchmarkServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  });
  after(() => {
    client.close();
    server.forceShutdown();
  });

  const createRun = (request: CreateRunRequest) =>
    new Promise<CreateRunResponse>((res, rej) => client.createRun(request, (e, r) => (e ? rej(e) : res(r))));

  const request = CreateRunRequest.fromPartial({
    requestId: 'req-1',
    runId: 'lora-s7',
    spec: {
      preset: Preset.PRESET_TINY,
      method: Method.METHOD_LORA,
      taskOrder: ['ScienceQA', 'TextVQA'],
      dataFraction: 0.4,
      seed: 7,
      hyperParameters: { learningRate: 2e-4, loraRank: 8 },
    },
  });

  it('CreateRun returns the operation and the planned run, and is idempotent by request_id', async () => {
    const first = await createRun(request);
    assert.equal(first.operation?.name, 'operations/op-1');
    assert.equal(first.operation?.target, 'runs/lora-s7');
    assert.equal(first.operation?.done, false);
    assert.equal(first.run?.state, State.STATE_PENDING);
    assert.deepEqual(first.run?.spec, request.spec);
    assert.deepEqual(
      first.run?.stages.map((s) => [s.name, s.parentStage]),
      [
        ['runs/lora-s7/stages/1', ''],
        ['runs/lora-s7/stages/2', 'runs/lora-s7/stages/1'],
      ],
    );
    assert.equal(first.run?.spec?.hyperParameters?.loraAlpha, undefined, 'unset optional fields stay unset');
    assert.equal(first.run?.createTime?.seconds, 1_764_000_000);
    const again = await createRun(request);
    assert.deepEqual(again, first);
  });

  it('CreateRun maps a bad spec to INVALID_ARGUMENT with the reason', async () => {
    await assert.rejects(
      createRun(
        CreateRunRequest.fromPartial({
          requestId: 'req-2',
          spec: { method: Method.METHOD_LORA, methodParameters: { ewc: { lambda: 5000 } } },
        }),
      ),
      (e: ServiceError) => {
        assert.equal(e.code, status.INVALID_ARGUMENT);
        assert.match(e.details, /spec\.method_parameters\.ewc is set but the method is METHOD_LORA/);
        return true;
      },
    );
  });

  it('WatchRun streams progress until the run is terminal, then ends', async () => {
    await createRun(request);
    const received: WatchRunResponse[] = [];
    for await (const message of client.watchRun({ name: 'runs/lora-s7', includeSteps: true }))
      received.push(message as WatchRunResponse);
    assert.deepEqual(
      received.map((m) => m.progress?.fraction),
      [0.25, 0.75, 1],
    );
    assert.equal(received[0].progress?.loss, 2.5);
    assert.equal(received[0].stage?.state, State.STATE_RUNNING);
    assert.equal(received[1].evalCell?.accuracy, 61.5);
    assert.equal(received[2].run?.state, State.STATE_SUCCEEDED);
    assert.equal(received[1].progress?.loss, undefined);
  });

  it('WatchRun on an unknown run fails with NOT_FOUND', async () => {
    const stream = client.watchRun({ name: 'runs/nope', includeSteps: false });
    await assert.rejects(
      (async () => {
        for await (const _ of stream) assert.fail('no message expected');
      })(),
      (e: ServiceError) => e.code === status.NOT_FOUND,
    );
  });

  it('unimplemented methods answer UNIMPLEMENTED', async () => {
    await assert.rejects(
      new Promise((res, rej) => client.getRun({ name: 'runs/lora-s7' }, (e, r) => (e ? rej(e) : res(r)))),
      (e: ServiceError) => e.code === status.UNIMPLEMENTED,
    );
  });
});
