import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { credentials, type ServiceError, status } from '@grpc/grpc-js';
import { EvaluateCellRequest, EvaluatorServiceClient, type GetEvalCellResponse, State } from '@coin/contracts';
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
import { EvaluatorModule } from './evaluator.module.js';

describe('evaluator: EvaluatorService over gRPC', () => {
  let t: TestService;
  let client: EvaluatorServiceClient;
  let run: PlannedRunFixture;
  before(async () => {
    t = await startForTest({ name: 'evaluator', module: EvaluatorModule, services: ['EvaluatorService'] });
    client = new EvaluatorServiceClient(t.address, credentials.createInsecure());
    run = await plannedRunFixture(t.service.store);
    // a[2][1]: ImageNet after stage 2.
    await commitFixtureUnit(t.service.store, run.plan.evals[1][0], {
      task: 'ImageNet',
      accuracy: { coin: 62.5, strict: 50 },
      count: 8,
    });
  });
  after(async () => {
    client.close();
    await t.stop();
  });
  const getEvalCell = (name: string) =>
    new Promise<GetEvalCellResponse>((resolve, reject) =>
      client.getEvalCell({ name }, (e, r) => (e ? reject(e) : resolve(r))),
    );

  it('serves health and reflection', async () => {
    assert.equal(await checkHealth(t.address, 'coin.v1.EvaluatorService'), 'SERVING');
    assert.ok((await reflectedServices(t.address)).includes('coin.v1.EvaluatorService'));
  });

  it('GetEvalCell: a scored cell in the run’s fidelity, a cell not yet scored PENDING', async () => {
    const { evalCell } = await getEvalCell(`runs/${run.id}/stages/2/evals/ImageNet`);
    assert.equal(evalCell?.state, State.STATE_SUCCEEDED);
    assert.deepEqual(
      [evalCell?.stageIndex, evalCell?.taskIndex, evalCell?.accuracy, evalCell?.sampleCount],
      [2, 1, 62.5, 8],
    );
    assert.equal((await getEvalCell(`runs/${run.id}/stages/2/evals/VQAv2`)).evalCell?.state, State.STATE_PENDING);
  });

  it('GetEvalCell: a cell the run does not evaluate is NOT_FOUND', async () => {
    // CoIN's schedule: VQAv2 (task 2) is not evaluated after stage 1; no zero-shot row.
    for (const name of [`runs/${run.id}/stages/1/evals/VQAv2`, `runs/${run.id}/stages/0/evals/ImageNet`])
      await assert.rejects(getEvalCell(name), (e: ServiceError) => e.code === status.NOT_FOUND);
  });

  it('EvaluateCell answers UNIMPLEMENTED; shutdown turns health NOT_SERVING', async () => {
    await assert.rejects(
      new Promise((resolve, reject) =>
        client.evaluateCell(EvaluateCellRequest.fromPartial({}), (e, r) => (e ? reject(e) : resolve(r))),
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

describe('evaluator process', () => {
  it('a bad COIN_* setting exits 2 with one clear paragraph', async () => {
    const r = await spawnService(fileURLToPath(new URL('./main.ts', import.meta.url)), [], { COIN_LOG_LEVEL: 'loud' })
      .done;
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^evaluator: invalid configuration: log\.level: .*\[CONFIG\.INVALID\]\n  hint: /);
  });
});
