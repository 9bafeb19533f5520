import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { credentials, type ServiceError, status } from '@grpc/grpc-js';
import { type GetStageResponse, State, TrainerServiceClient, TrainStageRequest } from '@coin/contracts';
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
import { startMockKafkaBroker } from '@coin/platform/testing';
import { TrainerModule } from './trainer.module.js';

describe('trainer: TrainerService over gRPC', () => {
  let t: TestService;
  let client: TrainerServiceClient;
  let run: PlannedRunFixture;
  before(async () => {
    t = await startForTest({ name: 'trainer', module: TrainerModule, services: ['TrainerService'] });
    client = new TrainerServiceClient(t.address, credentials.createInsecure());
    run = await plannedRunFixture(t.service.store);
    await commitFixtureUnit(t.service.store, run.plan.stages[0], { stage: 1, steps: 12, last_loss: 0.75 });
  });
  after(async () => {
    client.close();
    await t.stop();
  });
  const getStage = (name: string) =>
    new Promise<GetStageResponse>((resolve, reject) =>
      client.getStage({ name }, (e, r) => (e ? reject(e) : resolve(r))),
    );

  it('serves health and reflection', async () => {
    assert.equal(await checkHealth(t.address, 'coin.v1.TrainerService'), 'SERVING');
    assert.ok((await reflectedServices(t.address)).includes('coin.v1.TrainerService'));
  });

  it('GetStage: a trained stage from its manifest, a stage not yet trained PENDING', async () => {
    const { stage } = await getStage(`runs/${run.id}/stages/1`);
    assert.equal(stage?.state, State.STATE_SUCCEEDED);
    assert.equal(stage?.task, 'ImageNet');
    assert.equal(stage?.steps, 12);
    assert.equal(stage?.finalLoss, 0.75);
    assert.equal(stage?.unitKey, run.plan.stages[0].key);
    assert.equal(stage?.manifestUri, `${run.plan.stages[0].prefix}/manifest.json`);
    const second = (await getStage(`runs/${run.id}/stages/2`)).stage;
    assert.equal(second?.state, State.STATE_PENDING);
    assert.equal(second?.parentStage, `runs/${run.id}/stages/1`);
  });

  it('GetStage: a corrupt checkpoint is FAILED with DATA_LOSS; unknown stages and runs NOT_FOUND', async () => {
    await writeFile(join(t.storeDir, run.plan.stages[0].prefix, 'files/x.json'), '{"tampered": true}');
    const { stage } = await getStage(`runs/${run.id}/stages/1`);
    assert.equal(stage?.state, State.STATE_FAILED);
    assert.equal(stage?.error?.status, status.DATA_LOSS);
    for (const name of [`runs/${run.id}/stages/3`, 'runs/nope/stages/1'])
      await assert.rejects(getStage(name), (e: ServiceError) => e.code === status.NOT_FOUND);
    await assert.rejects(getStage(`runs/${run.id}/stage/1`), (e: ServiceError) => e.code === status.INVALID_ARGUMENT);
  });

  it('TrainStage answers UNIMPLEMENTED with a hint', async () => {
    await assert.rejects(
      new Promise((resolve, reject) =>
        client.trainStage(TrainStageRequest.fromPartial({ name: `runs/${run.id}/stages/1` }), (e, r) =>
          e ? reject(e) : resolve(r),
        ),
      ),
      (e: ServiceError) => e.code === status.UNIMPLEMENTED && /CreateRun/.test(e.details),
    );
  });

  it('shutdown: health NOT_SERVING once it begins', async () => {
    const watch = watchHealth(t.address);
    await watch.until('SERVING');
    const stopped = t.service.shutdown('test');
    await watch.until('NOT_SERVING');
    watch.stop();
    await stopped;
  });
});

describe('trainer process', () => {
  it('on Kafka (the local mock broker): listens on a free port, serves units, and SIGTERM drains and exits 0', async () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const store = await mkdtemp(join(tmpdir(), 'coin-trainer-'));
    const broker = await startMockKafkaBroker();
    after(async () => {
      await broker.stop();
      await rm(store, { recursive: true, force: true });
    });
    const s = spawnService(main, ['--port', '0', '--host', '127.0.0.1'], {
      COIN_STORE: store,
      COIN_KAFKA_BROKERS: broker.brokers.join(','),
      COIN_KAFKA_IDEMPOTENT: 'false', // the mock broker hands out no producer ids
    });
    const exited = s.done.then((r) => assert.fail(`exited ${r.code} before listening: ${r.stderr}`));
    const listening = await Promise.race([s.listening, exited]);
    assert.equal(listening.bus, `kafka://${broker.brokers.join(',')}`);
    assert.match(String(listening.address), /^127\.0\.0\.1:\d+$/);
    assert.equal(await checkHealth(String(listening.address)), 'SERVING');
    s.child.kill('SIGTERM');
    const r = await s.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /"kinds":\["pretrain","stage"\],"group":"trainer","msg":"serving units"/);
    assert.match(r.stderr, /"msg":"stopped"/);
  });

  it('a bad COIN_* setting or flag exits 2 with one clear paragraph', async () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const bad = await spawnService(main, [], { COIN_MODE: 'laptop' }).done;
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /^trainer: invalid configuration: mode: .*\[CONFIG\.INVALID\]\n  hint: /);
    assert.doesNotMatch(bad.stderr, /\n\s+at /);
  });
});
