import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import type { CoinError } from '@coin/core';
import { loadConfig } from '@coin/platform';
import { runCli } from '../testing/run-cli.js';
import { serviceMain } from './entries.js';
import { isAlive } from './processes.js';
import { readStackFile, stackFilePath } from './stack-file.js';
import { stackUp } from './stack-up.js';

const stores: string[] = [];
/** Every pid a test saw: killed in `after` whatever happened, so no test leaves a process behind. */
const pids = new Set<number>();

async function newStore(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'coin-stack-'));
  stores.push(dir);
  return dir;
}

async function remember(store: string): Promise<void> {
  for (const p of (await readStackFile(store))?.processes ?? []) pids.add(p.pid);
}

after(async () => {
  for (const store of stores) await remember(store).catch(() => undefined);
  for (const pid of pids)
    for (const target of [-pid, pid])
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // gone already
      }
  for (const dir of stores) await rm(dir, { recursive: true, force: true });
});

/** Pids of live processes whose command line names `text`. */
function processesNaming(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) found.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return found.filter((pid) => !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '));
}

describe('coin stack', () => {
  it('up: broker, S3 and five services SERVING; a second up is refused; the client commands reach it; down stops everything, twice is fine', async () => {
    const store = await newStore();
    const t0 = performance.now();
    const up = await runCli(['stack', 'up', '--store', store]);
    await remember(store);
    assert.equal(up.code, 0, up.stderr);
    const upSeconds = (performance.now() - t0) / 1000;
    const stack = await readStackFile(store);
    assert.deepEqual(
      stack?.processes.map((p) => p.name),
      ['broker', 's3', 'orchestrator', 'data-prep', 'trainer', 'evaluator', 'judge'],
    );
    assert.ok(stack?.kafka.local && stack.s3.local);
    assert.match(up.stdout, /orchestrator at 127\.0\.0\.1:\d+/);
    for (const p of stack!.processes) assert.ok(isAlive(p.pid), `${p.name} is alive`);

    const status = await runCli(['stack', 'status', '--store', store]);
    assert.equal(status.code, 0, status.stderr);
    assert.equal(status.stdout.match(/ SERVING /g)?.length, 5, status.stdout);
    assert.equal(status.stdout.match(/ reachable /g)?.length, 2, status.stdout);

    const again = await runCli(['stack', 'up', '--store', store]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already running.*\n.*coin stack down --store/);
    assert.match(again.stderr, /STACK\.ALREADY_RUNNING/);

    const runs = await runCli(['status', '--store', store]);
    assert.equal(runs.code, 0, runs.stderr);
    assert.equal(runs.stdout, 'no runs\n');
    // A gRPC error arrives as the service's CoinError: its stable code, message and hint, exit 2.
    const cancel = await runCli(['cancel', 'nope', '--store', store]);
    assert.equal(cancel.code, 2, cancel.stderr);
    assert.match(cancel.stderr, /^coin: error: no run nope\n {2}hint: list the runs/);
    assert.match(cancel.stderr, /code: RUN\.NOT_FOUND/);
    assert.doesNotMatch(cancel.stderr, /at .*\.ts:\d+/);

    // One service gone: status says which and exits 1.
    const judge = stack!.processes.find((p) => p.name === 'judge')!;
    process.kill(judge.pid, 'SIGTERM');
    while (isAlive(judge.pid)) await new Promise((r) => setTimeout(r, 50));
    const degraded = await runCli(['stack', 'status', '--store', store]);
    assert.equal(degraded.code, 1);
    assert.match(degraded.stdout, /judge +\d+ +no /);
    assert.match(degraded.stderr, /judge is down/);

    const down = await runCli(['stack', 'down', '--store', store]);
    assert.equal(down.code, 0, down.stderr);
    for (const p of stack!.processes) assert.equal(isAlive(p.pid), false, `${p.name} stopped`);
    assert.equal(existsSync(stackFilePath(store)), false);
    const services = readFileSync(join(store, 'stack', 'logs', 'trainer.log'), 'utf8');
    assert.match(services, /"msg":"stopped"/, 'the trainer shut down gracefully');

    const twice = await runCli(['stack', 'down', '--store', store]);
    assert.equal(twice.code, 0);
    assert.equal(twice.stdout, `no stack running on ${store}\n`);
    const none = await runCli(['stack', 'status', '--store', store]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no stack running/);
    const submit = await runCli(['submit', '--preset', 'micro', '--store', store]);
    assert.equal(submit.code, 1);
    assert.match(submit.stderr, /no stack running: `coin stack up`/);
    assert.ok(upSeconds < 60, `up took ${upSeconds} s`);
  });

  it('up: a service that cannot start fails the whole stack, naming it and its log; everything started is stopped', async () => {
    const store = await newStore();
    const broken = join(store, 'broken-service.mjs');
    writeFileSync(broken, "process.stderr.write('judge: cannot bind: EADDRINUSE\\n');\nprocess.exit(1);\n");
    // The real orchestrator, through a file whose path names the store (found in /proc afterwards).
    const orchestrator = join(store, 'orchestrator.mjs');
    writeFileSync(orchestrator, `await import(${JSON.stringify(pathToFileURL(serviceMain('orchestrator')).href)});\n`);
    const seen: number[] = [];
    await assert.rejects(
      stackUp({
        store,
        config: loadConfig({}),
        env: {},
        services: [
          { name: 'orchestrator', main: orchestrator },
          { name: 'judge', main: broken },
        ],
        onStarted: (p) => {
          seen.push(p.pid);
          pids.add(p.pid);
        },
      }),
      (e: CoinError) => {
        assert.equal(e.code, 'STACK.START_FAILED');
        assert.match(e.message, /^judge did not start: it exited/);
        assert.match(e.hint ?? '', new RegExp(`${join(store, 'stack', 'logs', 'judge.log')}.*\\n.*EADDRINUSE`));
        return true;
      },
    );
    assert.deepEqual(seen.length, 2, 'the broker and S3 had started');
    for (const pid of seen) assert.equal(isAlive(pid), false, `pid ${pid} was stopped`);
    assert.equal(existsSync(stackFilePath(store)), false, 'no stack file for a stack that is not up');
    assert.deepEqual(processesNaming(store), [], 'no process of this stack is left (the orchestrator included)');
  });
});
