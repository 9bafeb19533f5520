import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { credentials, type ServiceError, status } from '@grpc/grpc-js';
import { type GetJudgeCellResponse, JudgeEvalCellRequest, JudgeServiceClient, State } from '@coin/contracts';
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
import { JudgeModule } from './judge.module.js';

describe('judge: JudgeService over gRPC', () => {
  let t: TestService;
  let client: JudgeServiceClient;
  let run: PlannedRunFixture;
  before(async () => {
    t = await startForTest({ name: 'judge', module: JudgeModule, services: ['JudgeService'] });
    client = new JudgeServiceClient(t.address, credentials.createInsecure());
    run = await plannedRunFixture(t.service.store);
    const cell = run.plan.judges.find((j) => j.eval.key === run.plan.evals[0][0].key)!;
    await commitFixtureUnit(t.service.store, cell, {
      task: 'ImageNet',
      score: { coin: 71, strict: 70 },
      n: 8,
      parse_failures: 1,
      refusals: 0,
      judge: 'rubric',
    });
  });
  after(async () => {
    client.close();
    await t.stop();
  });
  const getJudgeCell = (name: string) =>
    new Promise<GetJudgeCellResponse>((resolve, reject) =>
      client.getJudgeCell({ name }, (e, r) => (e ? reject(e) : resolve(r))),
    );

  it('serves health and reflection', async () => {
    assert.equal(await checkHealth(t.address, 'coin.v1.JudgeService'), 'SERVING');
    assert.ok((await reflectedServices(t.address)).includes('coin.v1.JudgeService'));
  });

  it('GetJudgeCell: a judged cell with its score and counts, others PENDING or NOT_FOUND', async () => {
    const { judgeCell } = await getJudgeCell(`runs/${run.id}/stages/1/judgements/ImageNet`);
    assert.equal(judgeCell?.state, State.STATE_SUCCEEDED);
    assert.deepEqual(
      [judgeCell?.score, judgeCell?.judgedCount, judgeCell?.unparsedCount, judgeCell?.taskIndex],
      [71, 8, 1, 1],
    );
    assert.equal(
      (await getJudgeCell(`runs/${run.id}/stages/2/judgements/VQAv2`)).judgeCell?.state,
      State.STATE_PENDING,
    );
    await assert.rejects(
      getJudgeCell(`runs/${run.id}/stages/1/judgements/VQAv2`),
      (e: ServiceError) => e.code === status.NOT_FOUND,
    );
  });

  it('JudgeEvalCell answers UNIMPLEMENTED; shutdown turns health NOT_SERVING', async () => {
    await assert.rejects(
      new Promise((resolve, reject) =>
        client.judgeEvalCell(JudgeEvalCellRequest.fromPartial({}), (e, r) => (e ? reject(e) : resolve(r))),
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

describe('judge process', () => {
  it('a bad flag exits 2 with one clear paragraph', async () => {
    const r = await spawnService(fileURLToPath(new URL('./main.ts', import.meta.url)), ['--port', 'x'], {}).done;
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /^judge: --port must be a whole number from 0 to 65535, got "x" \[SERVICE\.BAD_FLAG\]\n  hint: /,
    );
  });
});
