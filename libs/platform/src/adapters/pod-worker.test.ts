import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { V1Job } from '@kubernetes/client-node';
import { resolveConfig } from '../config/config.js';
import { CONTRACT_WORKER_MODULE, TS_WORKER_EXEC_ARGV } from '../testing/job-scheduler-contract.js';
import { buildJobManifest } from './kubernetes/job-manifest.js';
import { jobOutcome } from './kubernetes/job-outcome.js';

const dir = mkdtempSync(join(tmpdir(), 'coin-pod-worker-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const settings = resolveConfig({ kubernetes: { trainerImage: 'coin:test' } }, {}).kubernetes;

let serial = 0;
/**
 * Runs the contract worker as a worker pod's container would: no IPC, the environment the Job's
 * manifest gives it (plus the termination file's path); `stop` sends SIGTERM once it has started.
 */
async function runPod(unit: Record<string, unknown>, stop = false) {
  const { manifest } = buildJobManifest({ name: `pod-${++serial}`, unit }, settings);
  const container = manifest.spec?.template.spec?.containers[0];
  const env: Record<string, string> = {};
  for (const e of container?.env ?? []) env[e.name] = e.value ?? '';
  const log = join(dir, `termination-${serial}`);
  const child = spawn(process.execPath, [...TS_WORKER_EXEC_ARGV, CONTRACT_WORKER_MODULE], {
    env: { PATH: process.env.PATH, ...env, COIN_JOB_TERMINATION_LOG: log },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    if (stop && stdout.includes('"progress"')) child.kill('SIGTERM');
  });
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let message: string | undefined;
  try {
    message = readFileSync(log, 'utf8');
  } catch {
    message = undefined;
  }
  return { manifest, exitCode, message, stdout };
}

/** What the scheduler would make of that pod, had the Job ended as Kubernetes ends it for that exit code. */
function outcomeOf(manifest: V1Job, exitCode: number, message: string | undefined) {
  const condition =
    exitCode === 0
      ? { type: 'Complete', status: 'True' }
      : { type: 'Failed', status: 'True', reason: exitCode === 2 ? 'PodFailurePolicy' : 'BackoffLimitExceeded' };
  const pod = {
    metadata: { name: 'p' },
    status: {
      containerStatuses: [
        {
          name: 'worker',
          image: '',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode, message } },
        },
      ],
    },
  };
  return jobOutcome({ ...manifest, status: { conditions: [condition] } }, [pod]);
}

test('a worker pod runs its unit from COIN_JOB_UNIT, writes the result, exits 0; progress goes to stdout', async () => {
  const { manifest, exitCode, message, stdout } = await runPod({ action: 'succeed', progress: 2, echo: 'pod' });
  assert.equal(exitCode, 0);
  assert.match(stdout, /^\{"progress":\{"step":1,"of":2\}\}\n\{"progress":\{"step":2,"of":2\}\}\n$/);
  const outcome = outcomeOf(manifest, 0, message);
  assert.equal(outcome?.status, 'succeeded');
  assert.equal(outcome?.status === 'succeeded' && outcome.result.echo, 'pod');
});

test('a CoinError no attempt can fix exits 2 (the FailJob code); another exits 1; both keep code and kind', async () => {
  const fail = (kind: string) => ({ action: 'fail', code: 'DATASET.NOT_READY', kind, message: `bad ${kind}` });
  const [permanent, transient] = await Promise.all([runPod(fail('INVALID_ARGUMENT')), runPod(fail('UNAVAILABLE'))]);
  assert.equal(permanent.exitCode, 2);
  assert.equal(transient.exitCode, 1);
  assert.deepEqual(outcomeOf(permanent.manifest, 2, permanent.message), {
    status: 'failed',
    retryable: false,
    code: 'DATASET.NOT_READY',
    message: 'bad INVALID_ARGUMENT',
  });
  const t = outcomeOf(transient.manifest, 1, transient.message);
  assert.deepEqual(t?.status === 'failed' && [t.code, t.retryable], ['DATASET.NOT_READY', true]);
});

test('a crash leaves no message: JOB.CRASHED naming the exit code; SIGTERM stops a sleeping unit as cancelled', async () => {
  const [crash, stopped] = await Promise.all([
    runPod({ action: 'crash', exitCode: 3 }),
    runPod({ action: 'sleep' }, true),
  ]);
  assert.equal(crash.exitCode, 3);
  assert.equal(crash.message, undefined);
  const c = outcomeOf(crash.manifest, 3, crash.message);
  assert.deepEqual(c?.status === 'failed' && [c.code, c.retryable], ['JOB.CRASHED', true]);
  assert.equal(stopped.exitCode, 1);
  assert.match(stopped.message ?? '', /"code":"JOB.CANCELLED","kind":"CANCELLED"/);
});
