// The Nest flavour served the way the apps will serve it: a NestJS gRPC microservice whose
// controller implements the generated BenchmarkServiceController (decorated with the generated
// @BenchmarkServiceControllerMethods), loading the shipped .proto files through PROTO_DIR and
// GRPC_LOADER_OPTIONS, called by the grpc-js flavour's generated client.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { RpcException, Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { from, type Observable } from 'rxjs';
import {
  BenchmarkServiceClient,
  CreateRunRequest,
  Fidelity,
  JudgeBackend,
  Method,
  Preset,
  State,
  type CreateRunResponse,
  type WatchRunResponse,
} from '@coin/contracts';
import {
  BenchmarkServiceControllerMethods,
  GRPC_LOADER_OPTIONS,
  GRPC_PACKAGE,
  SERVICE_PROTO_FILES,
  type BenchmarkServiceController,
  type CreateRunRequest as NestCreateRunRequest,
  type CreateRunResponse as NestCreateRunResponse,
  type WatchRunRequest as NestWatchRunRequest,
  type WatchRunResponse as NestWatchRunResponse,
} from '@coin/contracts/nest';
import { SpecError, TinyBenchmark } from './fixtures/tiny-benchmark.js';

const bench = new TinyBenchmark();
const seen: NestCreateRunRequest[] = [];

function notHere(): never {
  throw new RpcException({ code: status.UNIMPLEMENTED, message: 'not in the test server' });
}

@Controller()
@BenchmarkServiceControllerMethods()
class BenchmarkController implements BenchmarkServiceController {
  createRun(request: NestCreateRunRequest): NestCreateRunResponse {
    seen.push(request);
    try {
      return bench.createRun(request);
    } catch (e) {
      if (e instanceof SpecError) throw new RpcException({ code: status.INVALID_ARGUMENT, message: e.message });
      throw e;
    }
  }
  watchRun(request: NestWatchRunRequest): Observable<NestWatchRunResponse> {
    const messages = bench.watch(request.name);
    if (!messages) throw new RpcException({ code: status.NOT_FOUND, message: `${request.name} not found` });
    return from(messages);
  }
  // The generated decorator wraps every method on the prototype, so these must be methods.
  getRun(): never {
    return notHere();
  }
  listRuns(): never {
    return notHere();
  }
  cancelRun(): never {
    return notHere();
  }
  createSweep(): never {
    return notHere();
  }
  getSweep(): never {
    return notHere();
  }
  listSweeps(): never {
    return notHere();
  }
  cancelSweep(): never {
    return notHere();
  }
}

@Module({ controllers: [BenchmarkController] })
class BenchmarkModule {}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((res) => probe.listen(0, '127.0.0.1', res));
  const { port } = probe.address() as { port: number };
  await new Promise((res) => probe.close(res));
  return port;
}

describe('Nest flavour: a NestJS gRPC microservice serving BenchmarkService', () => {
  let app: INestMicroservice;
  let client: BenchmarkServiceClient;

  before(async () => {
    const url = `127.0.0.1:${await freePort()}`;
    app = await NestFactory.createMicroservice<MicroserviceOptions>(BenchmarkModule, {
      transport: Transport.GRPC,
      options: { package: GRPC_PACKAGE, protoPath: [...SERVICE_PROTO_FILES], loader: GRPC_LOADER_OPTIONS, url },
      logger: false,
    });
    await app.listen();
    client = new BenchmarkServiceClient(url, credentials.createInsecure());
  });
  after(async () => {
    client?.close();
    await app?.close();
  });

  const createRun = (request: CreateRunRequest) =>
    new Promise<CreateRunResponse>((res, rej) => client.createRun(request, (e, r) => (e ? rej(e) : res(r))));

  it('CreateRun: the controller receives typed fields and its answer reaches the client intact', async () => {
    const request = CreateRunRequest.fromPartial({
      requestId: 'nest-1',
      runId: 'moe-s3',
      spec: {
        preset: Preset.PRESET_MICRO,
        baseModel: 'models/base-micro',
        method: Method.METHOD_MOELORA,
        methodParameters: { moelora: { experts: 4 } },
        fidelity: Fidelity.FIDELITY_STRICT,
        fullMatrix: true,
        taskOrder: ['GQA'],
        seed: 3,
        hyperParameters: { loraRank: 8 },
        judge: {
          backend: JudgeBackend.JUDGE_BACKEND_OPENAI,
          model: 'Qwen1.5-32B-Chat',
          endpoint: 'http://127.0.0.1:8000/v1',
          sampling: { temperature: 0, topP: 0.8 },
          concurrency: 2,
        },
      },
    });
    const response = await createRun(request);
    const received = seen.at(-1)!;
    // What proto-loader hands the controller matches the ts-proto Nest types: camelCase keys,
    // numbers for enums and int64, empty defaults present.
    assert.equal(received.requestId, 'nest-1');
    assert.equal(received.spec?.method, Method.METHOD_MOELORA);
    assert.equal(received.spec?.seed, 3);
    assert.deepEqual(received.spec?.taskOrder, ['GQA']);
    assert.equal(received.validateOnly, false);
    assert.equal(received.spec?.hyperParameters?.loraRank, 8);
    assert.equal(received.spec?.preset, Preset.PRESET_MICRO);
    assert.equal(received.spec?.baseModel, 'models/base-micro');
    assert.equal(received.spec?.methodParameters?.moelora?.experts, 4);
    assert.equal(received.spec?.fidelity, Fidelity.FIDELITY_STRICT);
    assert.equal(received.spec?.fullMatrix, true);
    assert.equal(received.spec?.judge?.sampling?.topP, 0.8);
    assert.equal(received.spec?.judge?.concurrency, 2);
    assert.equal(received.spec?.judge?.apiKeyEnv, '');
    // A proto3 `optional` set to its zero value stays set; an unset one does not arrive as 0.
    assert.equal(received.spec?.judge?.sampling?.temperature, 0);
    assert.equal(received.spec?.judge?.sampling?.maxTokens ?? undefined, undefined);
    assert.equal(response.operation?.target, 'runs/moe-s3');
    assert.deepEqual(response.run?.spec, request.spec);
    assert.equal(response.run?.stages[0].name, 'runs/moe-s3/stages/1');
  });

  it('CreateRun: an RpcException becomes the gRPC status', async () => {
    await assert.rejects(
      createRun(CreateRunRequest.fromPartial({ requestId: 'nest-2', spec: { preset: Preset.PRESET_TINY } })),
      (e: ServiceError) => {
        assert.equal(e.code, status.INVALID_ARGUMENT);
        assert.match(e.details, /spec\.method is required/);
        return true;
      },
    );
  });

  it('WatchRun: the Observable is streamed to the generated client, then the stream ends', async () => {
    const received: WatchRunResponse[] = [];
    for await (const message of client.watchRun({ name: 'runs/moe-s3', includeSteps: false }))
      received.push(message as WatchRunResponse);
    assert.deepEqual(
      received.map((m) => m.progress?.state),
      [State.STATE_RUNNING, State.STATE_RUNNING, State.STATE_SUCCEEDED],
    );
    assert.equal(received[0].progress?.loss, 2.5);
    assert.equal(received[1].evalCell?.task, 'GQA');
    assert.equal(received[2].run?.name, 'runs/moe-s3');
  });
});
