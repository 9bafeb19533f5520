import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { credentials, type ServiceError, status } from '@grpc/grpc-js';
import { DataPrepServiceClient, type GetDatasetResponse, PrepareDatasetRequest, State } from '@coin/contracts';
import {
  checkHealth,
  commitFixtureUnit,
  type PlannedRunFixture,
  plannedRunFixture,
  reflectedServices,
  spawnService,
  startForTest,
  type TestService,
  watchHealth,
} from '@coin/service-host/testing';
import { DataPrepModule } from './data-prep.module.js';

describe('data-prep: DataPrepService over gRPC', () => {
  let t: TestService;
  let client: DataPrepServiceClient;
  let run: PlannedRunFixture;
  before(async () => {
    t = await startForTest({ name: 'data-prep', module: DataPrepModule, services: ['DataPrepService'] });
    client = new DataPrepServiceClient(t.address, credentials.createInsecure());
    run = await plannedRunFixture(t.service.store);
    await commitFixtureUnit(t.service.store, run.plan.world, {
      counts: { 'ImageNet/train': 48, 'ImageNet/test': 12, 'VQAv2/train': 48, 'VQAv2/test': 12 },
    });
  });
  after(async () => {
    client.close();
    await t.stop();
  });
  const getDataset = (name: string) =>
    new Promise<GetDatasetResponse>((resolve, reject) =>
      client.getDataset({ name }, (e, r) => (e ? reject(e) : resolve(r))),
    );

  it('serves health and reflection', async () => {
    assert.equal(await checkHealth(t.address, 'coin.v1.DataPrepService'), 'SERVING');
    assert.ok((await reflectedServices(t.address)).includes('coin.v1.DataPrepService'));
  });

  it('GetDataset: a prepared world with its counts; an unknown one NOT_FOUND', async () => {
    const { dataset } = await getDataset(run.plan.world.prefix);
    assert.equal(dataset?.state, State.STATE_SUCCEEDED);
    assert.deepEqual([dataset?.trainCount, dataset?.testCount], [96, 24]);
    assert.equal(dataset?.manifestUri, `${run.plan.world.prefix}/manifest.json`);
    await assert.rejects(getDataset('datasets/nope'), (e: ServiceError) => e.code === status.NOT_FOUND);
    await assert.rejects(getDataset('nope'), (e: ServiceError) => e.code === status.INVALID_ARGUMENT);
  });

  it('PrepareDataset answers UNIMPLEMENTED; shutdown turns health NOT_SERVING', async () => {
    await assert.rejects(
      new Promise((resolve, reject) =>
        client.prepareDataset(PrepareDatasetRequest.fromPartial({}), (e, r) => (e ? reject(e) : resolve(r))),
      ),
      (e: ServiceError) => e.code === status.UNIMPLEMENTED,
    );
    const watch = watchHealth(t.address);
    await watch.until('SERVING');
    const stopped = t.service.shutdown('test');
    await watch.until('NOT_SERVING');
    watch.stop();
    await stopped;
  });
});

describe('data-prep process', () => {
  it('a bad COIN_* setting exits 2 with one clear paragraph', async () => {
    const r = await spawnService(fileURLToPath(new URL('./main.ts', import.meta.url)), [], { COIN_STORE: '' }).done;
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^data-prep: invalid configuration: storeDir: .*\[CONFIG\.INVALID\]\n  hint: /);
  });
});
