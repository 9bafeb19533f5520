// The trainer with kubernetes.trainerImage set (docs/protocol.md#worker-pods): a stage request on
// the bus becomes one Kubernetes Job on the loopback API server; the test plays the kubelet (runs
// apps/coin's worker entry in pod mode with the Job's environment) and the Job controller, and the
// trainer announces the stage once the Job completed. A second request is answered from the manifest.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  decodeEvent,
  encodeEvent,
  RUN_PROGRESS_TOPIC,
  STAGE_COMPLETED_TOPIC,
  UNIT_FAILED_TOPIC,
} from '@coin/contracts';
import { FilesystemObjectStore, InProcessEventBus, type Subscription } from '@coin/platform';
import { FakeKubeApi, type KubeObject, TS_WORKER_EXEC_ARGV } from '@coin/platform/testing';
import {
  METHOD_CATALOGUE,
  planFor,
  type RunPlan,
  requestEvent,
  resolveRunSpec,
  runId,
  runSpecToProto,
  runUnitJob,
} from '@coin/pipeline';
import { startForTest, type TestService } from '@coin/service-host/testing';
import { TrainerModule } from './trainer.module.js';

const WORKER = fileURLToPath(new URL('../../coin/src/worker.ts', import.meta.url));

const spec = resolveRunSpec(
  { preset: 'micro', order: 'ImageNet,VQAv2', seed: 0, world: { train: 24, test: 8, pretrain: 16 }, pretrainSteps: 4 },
  METHOD_CATALOGUE,
);
const id = runId(spec);
const SECRET = 'trainer-secret-7f3a';

/** The worker container's environment in a Job. */
function jobEnv(job: KubeObject): Record<string, string> {
  type WithEnv = { spec: { template: { spec: { containers: { env: { name: string; value: string }[] }[] } } } };
  return Object.fromEntries(
    (job as unknown as WithEnv).spec.template.spec.containers[0].env.map((e) => [e.name, e.value]),
  );
}

describe('trainer: stages as Kubernetes Jobs', () => {
  let dir: string;
  let api: FakeKubeApi;
  let bus: InProcessEventBus;
  let trainer: TestService;
  let plan: RunPlan;
  let watch: Subscription;
  const completed: string[] = [];
  const progress: { unitKey: string; step: number; steps: number }[] = [];
  const failed: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coin-trainer-k8s-'));
    api = await FakeKubeApi.start();
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'fake', cluster: { server: api.url, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'fake', user: { token: 'test' } }],
        contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake' } }],
        'current-context': 'fake',
      }),
    );
    // The scheduler's `default` connection reads $KUBECONFIG as kubectl does (this file's own process).
    process.env.KUBECONFIG = kubeconfig;
    // The world and the base, as data prep and an earlier Job would have left them.
    plan = await planFor(spec);
    const store = new FilesystemObjectStore(join(dir, 'store'));
    const env = { store, cacheDir: join(dir, 'prep-work'), session: { threads: 1 }, progress: () => {} };
    await runUnitJob({ kind: 'prep', spec, unit: plan.world }, env);
    assert.equal(plan.base.kind, 'pretrain');
    if (plan.base.kind === 'pretrain') await runUnitJob({ kind: 'pretrain', spec, unit: plan.base }, env);

    bus = new InProcessEventBus();
    watch = await bus.subscribe(
      [STAGE_COMPLETED_TOPIC, UNIT_FAILED_TOPIC, RUN_PROGRESS_TOPIC],
      async (m) => {
        if (m.topic === RUN_PROGRESS_TOPIC) {
          const p = decodeEvent(RUN_PROGRESS_TOPIC, m.value);
          progress.push({ unitKey: p.unit?.key ?? '', step: Number(p.step), steps: Number(p.steps) });
        } else if (m.topic === STAGE_COMPLETED_TOPIC)
          completed.push(decodeEvent(STAGE_COMPLETED_TOPIC, m.value).stage?.unitKey ?? '');
        else failed.push(JSON.stringify(decodeEvent(UNIT_FAILED_TOPIC, m.value).error));
      },
      { group: 'test.watch' },
    );
    trainer = await startForTest({
      name: 'trainer',
      module: TrainerModule,
      services: ['TrainerService'],
      bus,
      storeDir: join(dir, 'store'),
      // Credentials the trainer holds (its store is the folder): none may travel in a Job.
      env: { COIN_TRAINER_IMAGE: 'coin:test', COIN_K8S_NAMESPACE: 'ml', COIN_S3_SECRET_KEY: SECRET },
    });
  });
  after(async () => {
    await trainer?.stop();
    await watch?.close();
    await bus?.close();
    await api?.stop();
    delete process.env.KUBECONFIG;
    await rm(dir, { recursive: true, force: true });
  });

  const requestStage = async () => {
    const r = requestEvent(plan.stages[0], id, runSpecToProto(spec), plan.world, 'test');
    await bus.publish(r.topic, id, encodeEvent(r.topic, r.payload as never));
  };
  const until = async (check: () => boolean, what: string, ms = 30_000) => {
    const end = Date.now() + ms;
    while (!check()) {
      assert.deepEqual(failed, [], `while waiting for ${what}`);
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  /** The kubelet's part: runs the worker entry with the Job's environment, as its pod would. */
  async function runPod(job: KubeObject, podName: string): Promise<{ exitCode: number | null; message: string }> {
    const env = jobEnv(job);
    const log = join(dir, 'termination-log');
    const child = spawn(process.execPath, [...TS_WORKER_EXEC_ARGV, WORKER], {
      // The pod's own config: its work folder (COIN_STORE), nothing about the trainer's store.
      env: { PATH: process.env.PATH, ...env, COIN_STORE: join(dir, 'pod'), COIN_JOB_TERMINATION_LOG: log },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // Its stdout is the pod's log, where the scheduler reads the unit's progress.
    child.stdout.on('data', (chunk: Buffer) => api.appendPodLog(podName, chunk.toString('utf8')));
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { exitCode, message: await readFile(log, 'utf8') };
  }

  it('a stage request creates one Job carrying the unit; the pod trains it; the trainer announces the stage', async () => {
    const t0 = performance.now();
    await requestStage();
    await until(() => api.stats.created === 1, 'the Job');
    assert.equal(api.stats.posts, 1);
    const body = api.stats.bodies[0];
    const name = body.metadata.name;
    const text = JSON.stringify(body);
    assert.ok(!text.includes(SECRET), 'no credentials in the Job');
    assert.deepEqual(Object.keys(jobEnv(body)).sort(), ['COIN_EXECUTION_PROVIDER', 'COIN_JOB_NAME', 'COIN_JOB_UNIT']);
    const env = jobEnv(body);
    assert.equal(env.COIN_EXECUTION_PROVIDER, 'cpu');
    assert.equal(body.metadata.labels?.['coin.io/run-id'], id, "an operator can list the run's Jobs");
    assert.equal(body.metadata.labels?.['coin.io/attempt'], '1');
    assert.equal(body.metadata.annotations?.['coin.io/unit-key'], plan.stages[0].key);
    const unit = JSON.parse(env.COIN_JOB_UNIT) as { job: { kind: string; unit: { key: string } }; env: unknown };
    assert.equal(unit.job.kind, 'stage');
    assert.equal(unit.job.unit.key, plan.stages[0].key);
    assert.deepEqual(unit.env, { store: { kind: 'fs', root: join(dir, 'store') } });
    assert.deepEqual(completed, [], 'nothing announced before the Job ends');

    api.putPod(name, `${name}-0`, { phase: 'Running' });
    const pod = await runPod(api.job(name)!, `${name}-0`);
    assert.equal(pod.exitCode, 0, pod.message);
    assert.match(pod.message, /^\{"v":1,"type":"result"/);
    api.putPod(name, `${name}-0`, {
      phase: 'Succeeded',
      containerStatuses: [
        {
          name: 'worker',
          image: 'coin:test',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 0, reason: 'Completed', message: pod.message } },
        },
      ],
    });
    api.setJobStatus(name, { conditions: [{ type: 'Complete', status: 'True' }], succeeded: 1 });
    await until(() => completed.length === 1, 'the stage completion');
    assert.deepEqual(completed, [plan.stages[0].key]);
    const trained = progress.filter((p) => p.unitKey === plan.stages[0].key && p.step > 0);
    assert.ok(trained.length > 0, "the stage's steps reached the bus from the pod's log");
    assert.equal(Math.max(...trained.map((p) => p.step)), trained[0].steps, 'up to its last step');
    const line = trainer.logs().find((l) => l.msg === 'units run as Kubernetes Jobs');
    assert.deepEqual(line?.kinds, ['pretrain', 'stage']);
    process.stderr.write(`# stage through a Job: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  });

  it('the same request again is answered from the manifest: no second Job', async () => {
    await requestStage();
    await until(() => completed.length === 2, 'the second completion');
    assert.deepEqual(completed, [plan.stages[0].key, plan.stages[0].key]);
    assert.equal(api.stats.posts, 1);
    const found = trainer.logs().filter((l) => l.msg === 'unit found');
    assert.equal(found.length, 1);
  });
});
