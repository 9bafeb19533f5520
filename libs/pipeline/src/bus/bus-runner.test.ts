// busRunner without workers: a UnitFailedEvent fails the job with the worker's error, an abort stops
// waiting and publishes nothing more, and close() rejects what still waits.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CoinError } from '@coin/core';
import { encodeEvent, EVAL_REQUESTED_TOPIC, UNIT_FAILED_TOPIC, UnitKind } from '@coin/contracts';
import { FilesystemObjectStore, InProcessEventBus } from '@coin/platform';
import { waitFor } from '@coin/platform/testing';
import { planFor } from '../run/execute-run.js';
import { METHOD_CATALOGUE } from '../spec/method-catalogue.js';
import { resolveRunSpec, runId } from '../spec/run-spec.js';
import { busRunner } from './bus-runner.js';
import { GRPC_STATUS } from './error-info.js';
import { eventMeta } from './unit-events.js';

/** A job reference for a runner whose jobs are named by the caller. */
const ref = (name: string) => ({ name, unitKey: name, attempt: 1 });
const spec = resolveRunSpec({ preset: 'micro', order: 'GQA,ImageNet' }, METHOD_CATALOGUE);

async function withRunner(
  body: (o: { bus: InProcessEventBus; runner: ReturnType<typeof busRunner>; requests: string[] }) => Promise<void>,
) {
  const dir = await mkdtemp(join(tmpdir(), 'coin-bus-runner-'));
  const bus = new InProcessEventBus();
  const runner = busRunner(bus, { store: new FilesystemObjectStore(dir) });
  const requests: string[] = [];
  await bus.subscribe([EVAL_REQUESTED_TOPIC], async (m) => void requests.push(m.topic), { group: 'test.count' });
  try {
    await body({ bus, runner, requests });
  } finally {
    await runner.close();
    await bus.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Room for a message that should not come to show up. */
const settle = () => new Promise((r) => setTimeout(r, 20));

test('a UnitFailedEvent of one of its units fails the job with the worker’s code and message', () =>
  withRunner(async ({ bus, runner, requests }) => {
    const plan = await planFor(spec);
    const cells = plan.evals[1];
    const job = runner.run({ kind: 'eval', spec, base: plan.base, world: plan.world, cells }, ref('evals'), () => {});
    await waitFor('a request per cell', () => requests.length === 2);
    await settle();
    assert.equal(requests.length, 2, 'one request per cell');
    await bus.publish(
      UNIT_FAILED_TOPIC,
      runId(spec),
      encodeEvent(UNIT_FAILED_TOPIC, {
        meta: eventMeta(runId(spec), 'evaluator'),
        unit: cells[1].prefix,
        unitKind: UnitKind.UNIT_KIND_EVAL,
        unitKey: cells[1].key,
        error: {
          code: 'EVAL.BROKEN',
          status: GRPC_STATUS.FAILED_PRECONDITION,
          message: 'no images',
          hint: 'prepare again',
          details: {},
          retryable: false,
        },
        sourceTopic: EVAL_REQUESTED_TOPIC,
      }),
    );
    await assert.rejects(
      job,
      (e: unknown) =>
        e instanceof CoinError &&
        e.code === 'EVAL.BROKEN' &&
        e.kind === 'FAILED_PRECONDITION' &&
        e.message.includes('no images') &&
        e.hint === 'prepare again',
    );
  }));

test('an abort stops waiting and publishes nothing more; close rejects the jobs still waiting', () =>
  withRunner(async ({ runner, requests }) => {
    const plan = await planFor(spec);
    const abort = new AbortController();
    abort.abort(new CoinError('RUN.CANCELLED', 'CANCELLED', 'stop'));
    const cells = plan.evals[1];
    await assert.rejects(
      runner.run(
        { kind: 'eval', spec, base: plan.base, world: plan.world, cells },
        ref('evals'),
        () => {},
        abort.signal,
      ),
      (e: unknown) => e instanceof CoinError && e.code === 'RUN.CANCELLED',
    );
    const late = new AbortController();
    const waiting = runner.run(
      { kind: 'eval', spec, base: plan.base, world: plan.world, cells },
      ref('evals'),
      () => {},
      late.signal,
    );
    await waitFor('the requests of the job that started', () => requests.length === 2);
    await settle();
    assert.equal(requests.length, 2, 'nothing published for the job aborted before it started');
    late.abort(new CoinError('RUN.CANCELLED', 'CANCELLED', 'stop'));
    await assert.rejects(waiting, (e: unknown) => e instanceof CoinError && e.code === 'RUN.CANCELLED');
    const last = runner.run({ kind: 'prep', spec, unit: plan.world }, ref('world'), () => {});
    await settle();
    await runner.close();
    await assert.rejects(last, (e: unknown) => e instanceof CoinError && e.code === 'RUN.RUNNER_CLOSED');
    await settle();
    assert.equal(requests.length, 2);
  }));
