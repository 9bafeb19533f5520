import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { credentials, type Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { Controller, Inject, Module } from '@nestjs/common';
import { CoinError, invalidArgument } from '@coin/core';
import { OperationsServiceClient } from '@coin/contracts';
import {
  type CancelOperationResponse,
  type GetOperationRequest,
  type GetOperationResponse,
  type OperationsServiceController,
  OperationsServiceControllerMethods,
} from '@coin/contracts/nest';
import {
  createLogger,
  FilesystemObjectStore,
  InProcessEventBus,
  KafkaEventBus,
  resolveConfig,
  S3ObjectStore,
} from '@coin/platform';
import { ERROR_CODE_TRAILER, errorInfoFromMetadata } from './grpc-status.js';
import { SERVICE_CONTEXT, type ServiceContext } from './service-context.js';
import { createEventBus } from './event-bus.js';
import { createObjectStore } from './object-store.js';
import { startService } from './start-service.js';
import { checkHealth, reflectedServices, startForTest, type TestService, watchHealth } from './testing/index.js';

/** A stand-in service whose calls fail in each way the filter must map. */
@Controller()
@OperationsServiceControllerMethods()
class ProbeController implements OperationsServiceController {
  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext) {}

  getOperation({ name }: GetOperationRequest): GetOperationResponse {
    if (name === 'operations/missing')
      throw new CoinError('OPERATION.NOT_FOUND', 'NOT_FOUND', `no operation ${name}`, {
        hint: 'list them first',
        details: { name, attempt: 2 },
      });
    if (name === 'operations/bad') throw invalidArgument('NAME.INVALID', 'bad name');
    if (name === 'operations/bug') throw new Error('secret internals at /srv/app.ts:12');
    return { operation: { name, target: this.ctx.store.url, done: true } };
  }

  async cancelOperation(): Promise<CancelOperationResponse> {
    throw new CoinError('OPERATION.BUSY', 'UNAVAILABLE', 'try later');
  }
}

/** Holds "a unit in flight" that shutdown must wait for. */
const drained: string[] = [];
@Module({ controllers: [ProbeController] })
class ProbeModule {
  constructor(@Inject(SERVICE_CONTEXT) ctx: ServiceContext) {
    ctx.shutdown.onShutdown('slow unit', async () => {
      await new Promise((r) => setTimeout(r, 150));
      drained.push('slow unit');
    });
    ctx.shutdown.onShutdown(
      'stuck unit',
      (deadline) => new Promise<void>((r) => deadline.addEventListener('abort', () => r())),
    );
  }
}

interface Failure {
  code: status;
  details: string;
  metadata: Metadata;
}

describe('startService: a NestJS gRPC service with health, reflection and error mapping', () => {
  let t: TestService;
  let client: OperationsServiceClient;
  before(async () => {
    t = await startForTest({
      name: 'probe',
      module: ProbeModule,
      services: ['OperationsService'],
      shutdownDeadlineMs: 800,
    });
    client = new OperationsServiceClient(t.address, credentials.createInsecure());
  });
  after(async () => {
    client.close();
    await t.stop();
  });

  const getOperation = (name: string) =>
    new Promise<GetOperationResponse>((resolve, reject) =>
      client.getOperation({ name }, (e, r) => (e ? reject(e) : resolve(r as GetOperationResponse))),
    );
  const failure = (name: string) =>
    getOperation(name).then(
      () => assert.fail('the call succeeded'),
      (e: ServiceError) => e as Failure,
    );

  it('binds a free port on port 0 and reports it in the result and the log', () => {
    assert.ok(t.service.port > 0);
    assert.equal(t.address, `127.0.0.1:${t.service.port}`);
    const line = t.logs().find((l) => l.msg === 'listening');
    assert.equal(line?.address, t.address);
    assert.equal(line?.name, 'probe');
    assert.deepEqual(line?.services, ['coin.v1.OperationsService']);
  });

  it('serves its API with the host context injected', async () => {
    const r = await getOperation('operations/x');
    assert.equal(r.operation?.target, `file://${t.storeDir}`);
  });

  it('health: SERVING for the server and its service, unknown services are reported as such', async () => {
    assert.equal(await checkHealth(t.address), 'SERVING');
    assert.equal(await checkHealth(t.address, 'coin.v1.OperationsService'), 'SERVING');
    await assert.rejects(checkHealth(t.address, 'coin.v1.TrainerService'), (e: ServiceError) => {
      assert.equal(e.code, status.NOT_FOUND);
      return true;
    });
  });

  it('reflection lists its service and health, nothing it does not serve', async () => {
    const names = await reflectedServices(t.address);
    assert.ok(names.includes('coin.v1.OperationsService'), names.join());
    assert.ok(names.includes('grpc.health.v1.Health'), names.join());
    assert.ok(!names.includes('coin.v1.TrainerService'), names.join());
  });

  it('a CoinError becomes its gRPC status with the stable code, message, hint and details', async () => {
    const e = await failure('operations/missing');
    assert.equal(e.code, status.NOT_FOUND);
    assert.equal(e.details, 'OPERATION.NOT_FOUND: no operation operations/missing (hint: list them first)');
    assert.deepEqual(e.metadata.get(ERROR_CODE_TRAILER), ['OPERATION.NOT_FOUND']);
    const info = errorInfoFromMetadata(e.metadata);
    assert.equal(info?.code, 'OPERATION.NOT_FOUND');
    assert.equal(info?.status, status.NOT_FOUND);
    assert.equal(info?.hint, 'list them first');
    assert.deepEqual(info?.details, { name: 'operations/missing', attempt: '2' });
    assert.equal(info?.retryable, false);
    assert.equal((await failure('operations/bad')).code, status.INVALID_ARGUMENT);
    const busy = await new Promise<Failure>((resolve) =>
      client.cancelOperation({ name: 'operations/x' }, (err) => resolve(err as unknown as Failure)),
    );
    assert.equal(busy.code, status.UNAVAILABLE);
    assert.equal(errorInfoFromMetadata(busy.metadata)?.retryable, true);
  });

  it('any other error is INTERNAL, logged with an incident id, its message and stack never sent', async () => {
    const e = await failure('operations/bug');
    assert.equal(e.code, status.INTERNAL);
    assert.doesNotMatch(e.details, /secret|srv|at /);
    const incident = errorInfoFromMetadata(e.metadata)?.details.incident;
    assert.ok(incident);
    const logged = t.logs().find((l) => l.incident === incident);
    assert.equal(logged?.level, 50);
    assert.match(JSON.stringify(logged?.err), /secret internals/);
  });

  it('shutdown: health turns NOT_SERVING at once, drains finish or are abandoned at the deadline', async () => {
    const watch = watchHealth(t.address, 'coin.v1.OperationsService');
    await watch.until('SERVING');
    const t0 = performance.now();
    const stopped = t.service.shutdown('test');
    await watch.until('NOT_SERVING');
    watch.stop();
    await stopped;
    const took = performance.now() - t0;
    assert.deepEqual(watch.seen, ['SERVING', 'NOT_SERVING']);
    assert.deepEqual(drained, ['slow unit'], 'the slow unit finished');
    assert.ok(took >= 700 && took < 3000, `waited for the stuck unit until the deadline (${took} ms)`);
    assert.ok(
      t
        .logs()
        .some((l) => l.msg === 'shutdown deadline passed: abandoning the work in flight' && l.what === 'stuck unit'),
    );
    await assert.rejects(checkHealth(t.address), (e: ServiceError) => e.code === status.UNAVAILABLE);
  });
});

describe('startService: configuration', () => {
  it('rejects a bad config before listening, with the config error', async () => {
    await assert.rejects(
      startService({
        name: 'probe',
        module: ProbeModule,
        services: ['OperationsService'],
        port: 0,
        env: { COIN_MODE: 'laptop' },
      }),
      (e: CoinError) => {
        assert.equal(e.code, 'CONFIG.INVALID');
        assert.match(e.message, /mode/);
        return true;
      },
    );
    await assert.rejects(
      startService({
        name: 'probe',
        module: ProbeModule,
        services: ['OperationsService'],
        port: 0,
        env: { COIN_PORT: '1' },
      }),
      (e: CoinError) => e.code === 'CONFIG.UNKNOWN_VARIABLE',
    );
  });

  it('without Kafka brokers or a bus handed in it does not start: CONFIG.NO_EVENT_BUS', async () => {
    await assert.rejects(
      startService({ name: 'probe', module: ProbeModule, services: ['OperationsService'], port: 0, env: {} }),
      (e: CoinError) => e.code === 'CONFIG.NO_EVENT_BUS' && /COIN_KAFKA_BROKERS/.test(e.hint ?? ''),
    );
  });
});

describe('the bus and store a configuration selects', () => {
  it('Kafka when kafka.brokers is set (nothing connects until used)', async () => {
    const bus = createEventBus(
      resolveConfig(undefined, { COIN_KAFKA_BROKERS: '127.0.0.1:1' }),
      createLogger({ level: 'silent', format: 'json' }),
    );
    assert.ok(bus instanceof KafkaEventBus);
    await bus.close();
  });

  it('S3 when s3.endpoint is set, with credentials required; else the folder store', () => {
    const s3 = createObjectStore(
      resolveConfig(undefined, {
        COIN_S3_ENDPOINT: 'http://127.0.0.1:9000',
        COIN_S3_PREFIX: 'coin/dev',
        COIN_S3_ACCESS_KEY: 'a',
        COIN_S3_SECRET_KEY: 'b',
      }),
    );
    assert.ok(s3 instanceof S3ObjectStore);
    assert.equal(s3.url, 's3://coin/coin/dev');
    assert.throws(
      () => createObjectStore(resolveConfig(undefined, { COIN_S3_ENDPOINT: 'http://127.0.0.1:9000' })),
      (e: CoinError) => e.code === 'STORE.S3_NO_CREDENTIALS',
    );
    assert.ok(createObjectStore(resolveConfig(undefined, { COIN_STORE: '/tmp/x' })) instanceof FilesystemObjectStore);
  });

  it('a bus handed in is shared, not closed on shutdown', async () => {
    const bus = new InProcessEventBus();
    const t = await startForTest({ name: 'probe', module: ProbeModule, services: ['OperationsService'], bus });
    assert.equal(t.service.bus, bus);
    await t.stop();
    await bus.publish('coin.run.progress.v1', 'k', new Uint8Array()); // still open
    await bus.close();
  });
});
