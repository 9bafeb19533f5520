import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoinError } from '@coin/core';
import { JudgeBackend, Method, RunSpec as ProtoRunSpec } from '@coin/contracts';
import { METHODS } from '@coin/training';
import type { RunPlan } from '../plan/units.js';
import { planFor } from '../run/execute-run.js';
import { METHOD_CATALOGUE } from '../spec/method-catalogue.js';
import { resolveRunSpec, runId, type RunSpec, type RunSpecInput } from '../spec/run-spec.js';
import { METHOD_FLAG_FIELDS, runSpecFromProto, runSpecToProto } from './spec-wire.js';

/** A value of every method flag away from its default (and valid together: moe rank % experts = 0). */
const FLAG_VALUES: Readonly<Record<string, string>> = {
  'lora-rank': '6',
  'lora-alpha': '3.5',
  'lora-dropout': '0.125',
  'moe-rank': '16',
  'moe-alpha': '7.25',
  'moe-dropout': '0.2',
  'moe-experts': '4',
  'replay-per-task': '3',
  'ewc-lambda': '2500.5',
  'lwf-alpha': '0.75',
  'lwf-temperature': '1.5',
  'olora-lambda': '0.3',
};

/** Through the binary codec and back, as a spec travels on the bus. */
function wire(spec: RunSpec): RunSpec {
  const bytes = ProtoRunSpec.encode(runSpecToProto(spec)).finish();
  return runSpecFromProto(ProtoRunSpec.decode(bytes));
}

const keysOf = (p: RunPlan) =>
  [p.world, p.pretrainWorld, p.base, ...p.stages, ...p.zeroShot, ...p.evals.flat(), ...p.judges].map((u) => u?.key);

async function assertLossless(input: RunSpecInput): Promise<void> {
  const spec = resolveRunSpec(input, METHOD_CATALOGUE);
  const back = wire(spec);
  assert.deepEqual(back, spec);
  assert.equal(runId(back), runId(spec));
  if (spec.base === undefined) assert.deepEqual(keysOf(await planFor(back)), keysOf(await planFor(spec)));
}

test('every method round-trips with its defaults and with every flag of its own set', async () => {
  assert.deepEqual(METHOD_CATALOGUE.names.toSorted(), METHODS.names.toSorted());
  for (const method of METHOD_CATALOGUE.names) {
    await assertLossless({ preset: 'micro', method, order: 'GQA,ImageNet' });
    const methodFlags = Object.fromEntries(METHODS.get(method).flags.map((f) => [f.name, FLAG_VALUES[f.name]]));
    for (const [flag, value] of Object.entries(methodFlags))
      assert.ok(value !== undefined && METHOD_FLAG_FIELDS[flag], `--${flag} has a test value and a field`);
    await assertLossless({ preset: 'tiny', method, methodFlags, order: 'GQA,ImageNet,TextVQA' });
  }
});

test('a spec with every option round-trips: same spec, run id and unit keys', async () => {
  await assertLossless({
    preset: 'small',
    method: 'moelora',
    methodFlags: { 'moe-experts': '4', 'moe-rank': '16' },
    order: 'VizWiz,GQA,ImageNet',
    variant: 'diverse',
    fraction: 0.5,
    seed: 4_000_000_000,
    fidelity: 'strict',
    fullMatrix: true,
    judge: {
      backend: 'openai',
      url: 'http://127.0.0.1:8000/v1',
      model: 'judge-model',
      apiKeyEnv: 'MY_KEY',
      sampling: 'coin',
      concurrency: 3,
    },
    world: { train: 30, test: 10, pretrain: 20 },
    pretrainSteps: 5,
    evalBatch: 4,
    training: { epochs: 2, lr: 0.002, batchSize: 3 },
  });
  await assertLossless({
    preset: 'micro',
    variant: '10type',
    judge: { backend: 'openai', url: 'http://h/v1', model: 'm' },
  });
  await assertLossless({ preset: 'micro', base: '/models/some-base', order: 'GQA' });
});

test('the proto states only what differs from the defaults', () => {
  const proto = runSpecToProto(resolveRunSpec({ preset: 'micro', method: 'ewc', order: 'GQA' }, METHOD_CATALOGUE));
  assert.equal(proto.hyperParameters, undefined);
  assert.equal(proto.methodParameters, undefined);
  assert.equal(proto.worldSize, undefined);
  assert.equal(proto.evalBatchSize, undefined);
  assert.deepEqual(proto.taskOrder, ['GQA']);
});

test('a minimal proto resolves to the defaults, and what a run cannot do is refused', () => {
  const minimal = ProtoRunSpec.fromPartial({});
  assert.deepEqual(runSpecFromProto(minimal), resolveRunSpec({}, METHOD_CATALOGUE));
  assert.equal(runSpecFromProto(ProtoRunSpec.fromPartial({ model: 'coin-micro' })).preset, 'micro');
  const refused: Array<[object, RegExp]> = [
    [{ method: Method.METHOD_LORA, methodParameters: { ewc: { lambda: 1 } } }, /ewc.lambda: method lora/],
    [{ method: Method.METHOD_FULL, hyperParameters: { loraRank: 4 } }, /loraRank: method full/],
    [{ hyperParameters: { warmupRatio: 0.1 } }, /warmupRatio/],
    [{ dataSource: 's3://bucket/coin' }, /data_source/],
    [{ evalSampleLimit: 10 }, /eval_sample_limit/],
    [{ judge: { backend: JudgeBackend.JUDGE_BACKEND_ONNX } }, /judge.backend/],
    [
      {
        judge: {
          backend: JudgeBackend.JUDGE_BACKEND_OPENAI,
          endpoint: 'http://h/v1',
          model: 'm',
          sampling: { temperature: 1 },
        },
      },
      /judge.sampling/,
    ],
    [{ method: 99 as Method }, /is not a method/],
  ];
  for (const [partial, message] of refused)
    assert.throws(
      () => runSpecFromProto(ProtoRunSpec.fromPartial(partial as never)),
      (e: unknown) => e instanceof CoinError && e.kind === 'INVALID_ARGUMENT' && message.test(e.message),
      String(message),
    );
});

test('MoELoRA’s deprecated hyper_parameters.moelora_experts is read when the new field is unset', () => {
  const spec = runSpecFromProto(
    ProtoRunSpec.fromPartial({ method: Method.METHOD_MOELORA, preset: 1, hyperParameters: { moeloraExperts: 2 } }),
  );
  assert.equal(spec.hyper.experts, 2);
});
