/**
 * Faults over the real stack (docs/protocol.md#the-local-stack): one stack (the five services as
 * processes, the mock Kafka broker, s3rver) serves every test; each test submits the micro 2-task
 * run, injects its fault, and checks at the end that the run SUCCEEDED, that its accuracy matrix
 * and its stage checkpoints (sha256) equal an embedded `coin run` of the same spec, and that no unit
 * was computed twice to completion (the workers' `unit computed` log lines). Between tests the
 * stages, evaluations, judgements and run states are removed from the bucket; the world and the
 * base stay (they are the same for every test). Opt-in: STACK_TESTS=1.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  deadLetterTopic,
  decodeEvent,
  EVAL_REQUESTED_TOPIC,
  encodeEvent,
  JUDGE_REQUESTED_TOPIC,
  PREP_REQUESTED_TOPIC,
  PRETRAIN_REQUESTED_TOPIC,
  STAGE_REQUESTED_TOPIC,
  UNIT_FAILED_TOPIC,
} from '@coin/contracts';
import {
  type BusMessage,
  groupLag,
  KafkaEventBus,
  LOCAL_S3_CREDENTIALS,
  loadConfig,
  rewindGroup,
  S3ObjectStore,
} from '@coin/platform';
import { runCli } from '../testing/run-cli.js';
import { STACK_TESTS, STACK_TESTS_REASON } from '../testing/stack-tests.js';
import type { StackServiceName } from './entries.js';
import { isAlive } from './processes.js';
import { restartService, setBrokerAvailability } from './restart-service.js';
import { readStackFile, type StackFile } from './stack-file.js';

/** 48 training samples a task: 6 steps a stage, a snapshot after each (a kill mid-stage has room). */
const SMALL = ['--world-train', '48', '--world-test', '8', '--world-pretrain', '16', '--pretrain-steps', '40'];
const SPEC = ['--preset', 'micro', '--order', 'ImageNet,VQAv2', ...SMALL];
const WORKERS = ['data-prep', 'trainer', 'evaluator', 'judge'] as const;
const REQUESTS: Record<(typeof WORKERS)[number], readonly string[]> = {
  'data-prep': [PREP_REQUESTED_TOPIC],
  trainer: [PRETRAIN_REQUESTED_TOPIC, STAGE_REQUESTED_TOPIC],
  evaluator: [EVAL_REQUESTED_TOPIC],
  judge: [JUDGE_REQUESTED_TOPIC],
};
/** Units computed again in every test: the bucket keeps only the world and the base between tests. */
const PER_RUN_PREFIXES = ['stages', 'evals', 'judge', 'runs'];

/** A stuck test fails instead of hanging CI (the after hook then stops the stack). */
const TEST_TIMEOUT_MS = 120_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const config = loadConfig({});

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms: number): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The accuracy matrix block of `coin run`'s table (title line to the first blank line). */
const accuracyBlock = (stdout: string) => stdout.slice(stdout.indexOf('accuracy ('), stdout.indexOf('\n\n'));

interface UnitLine {
  readonly service: string;
  readonly msg: string;
  readonly kind: string;
  readonly unit: string;
  readonly key: string;
  readonly first_step?: number;
}

describe('faults over the real stack', { skip: STACK_TESTS ? undefined : STACK_TESTS_REASON }, () => {
  const dirs: string[] = [];
  let store = '';
  let stack: StackFile;
  let s3: S3ObjectStore;
  let bus: KafkaEventBus | undefined;
  /** The embedded run's matrix and its stage checkpoints' sha256 (stage key → blob path → sha256). */
  let reference: { readonly matrix: string; readonly stages: Map<string, Map<string, string>> };

  const logOf = (service: string) => join(store, 'stack', 'logs', `${service}.log`);
  /** Where each service's log ends now: what a test reads from. */
  const mark = () => new Map(WORKERS.map((s) => [s, existsSync(logOf(s)) ? statSync(logOf(s)).size : 0]));
  const unitLines = (from: Map<string, number>): UnitLine[] =>
    WORKERS.flatMap((service) =>
      readFileSync(logOf(service))
        .subarray(from.get(service) ?? 0)
        .toString('utf8')
        .split('\n')
        .filter((l) => l.startsWith('{') && l.includes('"unit '))
        .map((l) => ({ service, ...(JSON.parse(l) as Omit<UnitLine, 'service'>) })),
    );
  const computed = (from: Map<string, number>) => unitLines(from).filter((l) => l.msg === 'unit computed');

  /** Stage key → blob path → sha256 of its safetensors, as the manifests in a store folder name them. */
  const stageHashes = (manifests: Map<string, string>) =>
    new Map(
      [...manifests].map(([key, text]) => {
        const blobs = (JSON.parse(text) as { blobs: { path: string; sha256: string }[] }).blobs;
        return [key, new Map(blobs.filter((b) => b.path.endsWith('.safetensors')).map((b) => [b.path, b.sha256]))];
      }),
    );
  const bucketStages = async () => {
    const manifests = new Map<string, string>();
    for (const path of await s3.list('stages'))
      if (path.endsWith('/manifest.json'))
        manifests.set(path.split('/')[1], Buffer.from(await s3.get(path)).toString('utf8'));
    return stageHashes(manifests);
  };

  const submit = async () => {
    const r = await runCli(['submit', ...SPEC, '--store', store]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.split(' ')[0];
  };
  /** Follows the run to its end (through whichever orchestrator the stack file names now). */
  const watch = (run: string) => runCli(['watch', run, '--store', store]);

  /** The checks every test ends with. */
  const checkRun = async (watched: { code: number; stdout: string; stderr: string }, from: Map<string, number>) => {
    assert.equal(watched.code, 0, watched.stderr);
    assert.equal(accuracyBlock(watched.stdout), reference.matrix);
    assert.deepEqual(await bucketStages(), reference.stages, 'the stage checkpoints differ from the embedded run');
    const lines = computed(from);
    const seen = new Map<string, number>();
    for (const l of lines) seen.set(l.key, (seen.get(l.key) ?? 0) + 1);
    const twice = [...seen].filter(([, n]) => n > 1).map(([k]) => lines.find((l) => l.key === k)?.unit);
    assert.deepEqual(twice, [], 'units computed twice to completion');
    return lines;
  };

  const reset = async () => {
    for (const prefix of PER_RUN_PREFIXES) await s3.deletePrefix(prefix);
  };

  const restart = (name: StackServiceName, o: Partial<Parameters<typeof restartService>[0]> = {}) =>
    restartService({ store, name, config, env: {}, ...o });

  before(
    async () => {
      if (!STACK_TESTS) return;
      store = await mkdtemp(join(tmpdir(), 'coin-stack-faults-'));
      const embedded = await mkdtemp(join(tmpdir(), 'coin-stack-faults-run-'));
      dirs.push(store, embedded);
      const up = await runCli(['stack', 'up', '--store', store]);
      assert.equal(up.code, 0, up.stderr);
      stack = (await readStackFile(store))!;
      s3 = new S3ObjectStore({ endpoint: stack.s3.endpoint, bucket: stack.s3.bucket, ...LOCAL_S3_CREDENTIALS });
      // The first run makes the world and the base the tests share, and checks the plain path once.
      const local = await runCli([
        'run',
        ...SPEC,
        '--in-process',
        '--store',
        join(embedded, 'store'),
        '--out',
        join(embedded, 'out'),
      ]);
      assert.equal(local.code, 0, local.stderr);
      const stagesDir = join(embedded, 'store', 'stages');
      reference = {
        matrix: accuracyBlock(local.stdout),
        stages: stageHashes(
          new Map(readdirSync(stagesDir).map((k) => [k, readFileSync(join(stagesDir, k, 'manifest.json'), 'utf8')])),
        ),
      };
      assert.match(reference.matrix, /^accuracy \(coin\)/);
      assert.equal(reference.stages.size, 2);
      const from = mark();
      const first = await watch(await submit());
      await checkRun(first, from);
    },
    { timeout: 2 * TEST_TIMEOUT_MS },
  );

  after(async () => {
    await bus?.close().catch(() => {});
    for (const d of dirs) {
      for (const p of (await readStackFile(d).catch(() => undefined))?.processes ?? [])
        try {
          process.kill(-p.pid, 'SIGKILL');
        } catch {
          // gone already
        }
      await rm(d, { recursive: true, force: true });
    }
  });

  it('a trainer killed (SIGKILL) mid-stage and started again: the stage continues from its snapshot', {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    await reset();
    const from = mark();
    const run = await submit();
    // A snapshot of stage 1 in the trainer's work folder: steps were taken, and the stage is not done.
    const work = join(store, 'work', 'work');
    await waitFor(
      'a snapshot of a stage',
      () =>
        existsSync(work) &&
        readdirSync(work).some((k) => {
          const resume = join(work, k, '.resume');
          return (
            existsSync(resume) && readdirSync(resume).some((s) => existsSync(join(resume, s, 'resume.safetensors')))
          );
        }),
      60_000,
    );
    const killedAt = mark().get('trainer')!;
    assert.equal(computed(from).filter((l) => l.kind === 'stage').length, 0, 'a stage finished before the kill');
    await restart('trainer', { signal: 'SIGKILL' });
    const lines = await checkRun(await watch(run), from);
    const stages = lines.filter((l) => l.kind === 'stage');
    assert.equal(stages.length, 2);
    const resumed = computed(new Map([['trainer', killedAt]])).find((l) => l.kind === 'stage');
    assert.ok(
      resumed && (resumed.first_step ?? 1) > 1,
      `the stage started again at step 1: ${JSON.stringify(resumed)}`,
    );
  });

  it('the orchestrator restarted (SIGTERM) mid-run: the new one resumes the run', {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    await reset();
    const from = mark();
    const run = await submit();
    await waitFor('stage 1', () => computed(from).some((l) => l.kind === 'stage'), 60_000);
    const old = (await readStackFile(store))!.processes.find((p) => p.name === 'orchestrator')!;
    const started = await restart('orchestrator');
    assert.notEqual(started.pid, old.pid);
    assert.ok(!isAlive(old.pid));
    const resumedLine = readFileSync(logOf('orchestrator'), 'utf8').includes('resuming an unfinished run');
    assert.ok(resumedLine, 'the new orchestrator did not resume the run');
    const lines = await checkRun(await watch(run), from);
    assert.equal(lines.filter((l) => l.kind === 'stage').length, 2);
  });

  it('the broker down for 4 s mid-run and back: the run continues, nothing lost', {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    await reset();
    const from = mark();
    const run = await submit();
    await waitFor('stage 1', () => computed(from).some((l) => l.kind === 'stage'), 60_000);
    await setBrokerAvailability(store, 'down');
    try {
      await sleep(4000);
    } finally {
      await setBrokerAvailability(store, 'up');
    }
    const lines = await checkRun(await watch(run), from);
    // Every unit of the run but the world and the base, once: 2 stages, 3 eval cells, 3 judge cells.
    assert.equal(lines.length, 8, JSON.stringify(lines.map((l) => l.unit)));
  });

  it('every request topic replayed from offset 0 after the run: nothing computed again, run state unchanged', {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const runs = await s3.list('runs');
    const states = new Map(
      await Promise.all(runs.map(async (p) => [p, Buffer.from(await s3.get(p)).toString()] as const)),
    );
    const stagesBefore = await bucketStages();
    const from = mark();
    const lags = await Promise.all(
      WORKERS.map(async (name) => {
        let lag = 0;
        await restart(name, {
          whileStopped: async () => {
            await rewindGroup(stack.kafka.brokers, name, REQUESTS[name]);
            lag = await groupLag(stack.kafka.brokers, name, REQUESTS[name]);
          },
        });
        return lag;
      }),
    );
    const replayed = lags.reduce((a, b) => a + b, 0);
    // At least every request of the first run: the world, the base, 2 stages, 3 eval and 3 judge cells.
    assert.ok(replayed >= 10, `only ${replayed} requests to replay`);
    await waitFor(
      'the replay',
      async () => {
        for (const name of WORKERS) if ((await groupLag(stack.kafka.brokers, name, REQUESTS[name])) > 0) return false;
        return true;
      },
      90_000,
    );
    const lines = unitLines(from);
    assert.deepEqual(
      lines.filter((l) => l.msg !== 'unit found').map((l) => `${l.msg} ${l.unit}`),
      [],
      'a replayed request did more than answer from the manifest',
    );
    assert.equal(lines.length, replayed);
    const after = new Map(
      await Promise.all(runs.map(async (p) => [p, Buffer.from(await s3.get(p)).toString()] as const)),
    );
    assert.deepEqual(after, states);
    assert.deepEqual(await bucketStages(), stagesBefore);
  });

  it('poison on a request topic: bytes that do not decode are dead-lettered, an unknown unit fails; another run succeeds', {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    await reset();
    bus = new KafkaEventBus({
      brokers: stack.kafka.brokers,
      clientId: 'stack-faults',
      idempotent: false,
      maxWaitTimeMs: 100,
    });
    const dead: BusMessage[] = [];
    const failed: { readonly unitKey: string; readonly error?: { readonly code: string } }[] = [];
    const requests: BusMessage[] = [];
    await bus.subscribe([deadLetterTopic(STAGE_REQUESTED_TOPIC)], async (m) => void dead.push(m), {
      group: 'faults.dlt',
      fromBeginning: true,
    });
    await bus.subscribe([UNIT_FAILED_TOPIC], async (m) => void failed.push(decodeEvent(UNIT_FAILED_TOPIC, m.value)), {
      group: 'faults.failed',
    });
    await bus.subscribe([STAGE_REQUESTED_TOPIC], async (m) => void requests.push(m), {
      group: 'faults.requests',
      fromBeginning: true,
    });
    // A real stage request of an earlier run, its unit key changed to one no plan holds.
    const real = await waitFor('a stage request', () => requests[0], 30_000);
    const event = decodeEvent(STAGE_REQUESTED_TOPIC, real.value);
    const unknownKey = 'f'.repeat(64);
    const bogus = { ...event, stage: { ...event.stage!, unitKey: unknownKey } };
    const from = mark();
    // Both keyed by the run, so they sit in its partition ahead of its requests.
    const poison = Buffer.from('\xff\xfe not a protobuf', 'latin1');
    await bus.publish(STAGE_REQUESTED_TOPIC, real.key, poison);
    await bus.publish(STAGE_REQUESTED_TOPIC, real.key, encodeEvent(STAGE_REQUESTED_TOPIC, bogus));
    const run = await submit();
    const watched = await watch(run);
    await checkRun(watched, from);
    const deadLettered = await waitFor(
      'the dead-lettered poison',
      () => dead.find((m) => Buffer.from(m.value).equals(poison)),
      30_000,
    );
    assert.equal(deadLettered.key, real.key);
    const unknown = await waitFor(
      'the unknown unit failed',
      () => failed.find((f) => f.unitKey === unknownKey),
      30_000,
    );
    assert.equal(unknown.error?.code, 'RUN.UNKNOWN_UNIT');
  });

  it('a corrupted checkpoint in the bucket: detected by sha256, computed again, never used', {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    // Keep stage 1 from the last run and corrupt its adapter: same size, other bytes.
    const stage1 = [...reference.stages.keys()].find((k) => {
      const text = readFileSync(
        join(store, 'stack', 's3', stack.s3.bucket, 'stages', k, 'manifest.json._S3rver_object'),
        'utf8',
      );
      return (JSON.parse(text) as { meta: { stage: number } }).meta.stage === 1;
    })!;
    for (const prefix of PER_RUN_PREFIXES.filter((p) => p !== 'stages')) await s3.deletePrefix(prefix);
    for (const key of reference.stages.keys()) if (key !== stage1) await s3.deletePrefix(`stages/${key}`);
    const blob = join(
      store,
      'stack',
      's3',
      stack.s3.bucket,
      'stages',
      stage1,
      'files',
      'adapter_model.safetensors._S3rver_object',
    );
    const bytes = readFileSync(blob);
    const flipped = Buffer.from(bytes);
    for (let i = bytes.length - 64; i < bytes.length; i++) flipped[i] ^= 0xff;
    writeFileSync(blob, flipped);
    assert.equal(statSync(blob).size, bytes.length);
    const from = mark();
    const orchestratorFrom = statSync(logOf('orchestrator')).size;
    const lines = await checkRun(await watch(await submit()), from);
    // checkRun compared the bucket's checkpoints with the embedded run's: the corrupted bytes are gone.
    assert.deepEqual(
      lines
        .filter((l) => l.kind === 'stage')
        .map((l) => l.key)
        .sort(),
      [...reference.stages.keys()].sort(),
    );
    const orchestratorLog = readFileSync(logOf('orchestrator')).subarray(orchestratorFrom).toString('utf8');
    assert.match(orchestratorLog, /unit corrupt in the store/);
  });
});
