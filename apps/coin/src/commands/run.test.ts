import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli } from '../testing/spawn-cli.js';
import { runCli } from '../testing/run-cli.js';

/**
 * `coin run` end to end on the micro preset, as a user runs it: the real launcher, worker processes,
 * the filesystem store. A small world, three tasks and a short pretraining keep it to about a
 * minute; `npm run bench -- cli` and the README measure the full micro and tiny runs.
 */
const TASKS = 'ImageNet,VQAv2,Grounding';

/** The parts of results.json the tests read. */
interface RunJson {
  tasks: string[];
  accuracy: { matrix: (number | null)[][] };
  judge: { matrix: (number | null)[][]; label: string };
  metrics: { accuracy: Record<string, number | null> };
  units: { kind: string; cached: boolean; peak_rss_mb: number | null }[];
  environment: { ort: string; node: string };
}
const SMALL = ['--world-train', '24', '--world-test', '8', '--world-pretrain', '16', '--pretrain-steps', '40'];

describe('coin run (micro, 3 tasks)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coin-run-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const args = (out: string, ...extra: string[]) => [
    'run',
    '--preset',
    'micro',
    '--order',
    TASKS,
    ...SMALL,
    '--store',
    join(dir, 'store'),
    '--out',
    out,
    ...extra,
  ];
  const run = async (out: string, ...extra: string[]) => {
    const r = await spawnCli(args(out, ...extra), { killAfterMs: 600_000 }).done;
    assert.equal(r.code, 0, r.stderr);
    return r;
  };
  const results = async (out: string) => {
    const [id] = await readdir(out);
    return { id, json: JSON.parse(await readFile(join(out, id, 'results.json'), 'utf8')) as RunJson };
  };

  let first: { id: string; json: RunJson };

  it('trains, evaluates and judges every cell, and writes results.json, results.csv and report.html', async () => {
    const out = join(dir, 'out1');
    const r = await run(out);
    first = await results(out);
    const res = first.json;
    assert.deepEqual(res.tasks, TASKS.split(','));
    assert.equal(res.accuracy.matrix.length, 3);
    assert.deepEqual(
      res.accuracy.matrix.map((row: unknown[]) => row.length),
      [1, 2, 3],
      'lower-triangular',
    );
    for (const m of [res.accuracy.matrix, res.judge.matrix])
      for (const row of m) for (const c of row) assert.ok(typeof c === 'number' && c >= 0 && c <= 100, String(c));
    for (const k of ['MAA', 'BWT', 'final_average', 'MFT', 'MFN', 'forgetting'])
      assert.equal(typeof res.metrics.accuracy[k], 'number', k);
    assert.equal(res.judge.label, 'rubric');
    assert.ok(res.units.some((u: { kind: string }) => u.kind === 'stage'));
    for (const u of res.units.filter((u: { kind: string }) => u.kind === 'stage'))
      assert.ok((u.peak_rss_mb ?? 0) > 50, 'a worker process reports its peak memory');
    assert.ok(res.environment.ort && res.environment.node);
    for (const f of ['results.json', 'results.csv', 'report.html']) await readFile(join(out, first.id, f));
    assert.match(r.stdout, /accuracy \(coin\)/);
    assert.match(r.stdout, /BWT/);
  });

  it('computes nothing again when everything is in the store, and gives the same matrices', async () => {
    const out = join(dir, 'out2');
    const r = await run(out);
    const again = await results(out);
    assert.equal(again.id, first.id, 'same spec, same run id');
    assert.deepEqual(again.json.accuracy, first.json.accuracy);
    assert.deepEqual(again.json.judge, first.json.judge);
    assert.ok(
      again.json.units.every((u: { cached: boolean }) => u.cached),
      'every unit came from the store',
    );
    assert.doesNotMatch(r.stderr, /done in/);
  });

  it('detects a damaged unit output by its sha256 and computes it again', async () => {
    const store = join(dir, 'store');
    const stages = await readdir(join(store, 'stages'));
    const victim = join(store, 'stages', stages[0], 'files');
    const files = (await readdir(victim)).filter((f) => f.endsWith('.safetensors'));
    const path = join(victim, files[0]);
    const bytes = await readFile(path);
    bytes[bytes.length - 1] ^= 0xff;
    await writeFile(path, bytes);
    const out = join(dir, 'out3');
    const r = await run(out);
    assert.match(r.stderr, /damaged/);
    const again = await results(out);
    assert.deepEqual(again.json.accuracy, first.json.accuracy, 'recomputed to the same result');
  });

  it('--seeds 2 reuses seed 0 from the store, runs seed 1, and writes a combined report with intervals', async () => {
    const out = join(dir, 'out-seeds');
    const r = await run(out, '--seeds', '2');
    assert.match(r.stdout, /2 seeds: .*report\.html/);
    const runs = (await readdir(out)).filter((f) => f.startsWith('lora-micro-'));
    assert.equal(runs.length, 2);
    assert.ok(runs.includes(first.id), 'seed 0 is the run of the first test');
    const comparison = await readFile(join(out, 'comparison.csv'), 'utf8');
    assert.match(comparison.split('\n')[0], /mean/);
    await readFile(join(out, 'report.html'));
  });

  it('stops cleanly on Ctrl-C, says how to resume, and the same command then finishes the run', async () => {
    const store = join(dir, 'store-int');
    const out = join(dir, 'out-int');
    const argv = args(out).map((a) => (a === join(dir, 'store') ? store : a));
    const child = spawnCli(argv, { killAfterMs: 600_000 });
    let sent = false;
    child.child.stderr?.on('data', (d: Buffer) => {
      if (!sent && /stage 2 /.test(d.toString())) {
        sent = true;
        child.child.kill('SIGINT');
      }
    });
    const stopped = await child.done;
    assert.ok(sent, stopped.stderr);
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.match(stopped.stderr, /interrupted \(SIGINT\)/);
    assert.match(stopped.stderr, /run the same command again/);
    const r = await spawnCli(argv, { killAfterMs: 600_000 }).done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /stage 1 ImageNet: in the store/, 'stage 1 is not trained again');
    const again = await results(out);
    assert.deepEqual(again.json.accuracy, first.json.accuracy, 'the same result as an uninterrupted run');
    assert.deepEqual(again.json.judge, first.json.judge);
  });

  it('--judge openai asks an OpenAI-compatible server, judging the stored answers again without retraining', async () => {
    const seen: { model: string; temperature: number; auth?: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const request = JSON.parse(body) as { model: string; temperature: number };
        seen.push({ model: request.model, temperature: request.temperature, auth: req.headers.authorization });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ choices: [{ message: { content: '7' }, finish_reason: 'stop' }] }));
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const port = (server.address() as AddressInfo).port;
      const out = join(dir, 'out-openai');
      const child = spawnCli(
        args(
          out,
          '--judge',
          'openai',
          '--judge-url',
          `http://127.0.0.1:${port}/v1`,
          '--judge-model',
          'judge-7b',
          '--judge-key-env',
          'JUDGE_TEST_KEY',
        ),
        { killAfterMs: 600_000, env: { JUDGE_TEST_KEY: 'sk-test' } },
      );
      const r = await child.done;
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /stage \d .*done in/, 'no stage trained again');
      const res = await results(out);
      assert.equal(res.json.judge.label, 'judge-7b');
      for (const row of res.json.judge.matrix) for (const c of row) assert.equal(c, 70, 'every reply scored 7 of 10');
      assert.deepEqual(res.json.accuracy, first.json.accuracy, 'the same answers, judged by another judge');
      // 8 test items in 6 cells; identical prompts (the same answer to the same item) are asked once.
      assert.ok(seen.length > 0 && seen.length <= 8 * 6, String(seen.length));
      assert.ok(seen.every((q) => q.model === 'judge-7b' && q.temperature === 0 && q.auth === 'Bearer sk-test'));
      assert.doesNotMatch(r.stderr + r.stdout, /sk-test/, 'the key is never printed');
    } finally {
      server.close();
    }
  });

  it('refuses bad flags with a usage error before anything runs', async () => {
    const bad = [
      [['--order', 'ImageNet,Nope'], /unknown task "Nope"/],
      [['--fraction', '2'], /--fraction must be a number in \(0, 1\]/],
      [['--method', 'magic'], /--method "magic" is not one of/],
      [['--judge', 'openai'], /--judge openai needs --judge-url/],
    ] as const;
    await writeFile(join(dir, 'a-file'), 'x');
    const badStore = await runCli(['run', '--preset', 'micro', '--store', join(dir, 'a-file')]);
    assert.equal(badStore.code, 2, badStore.stderr);
    assert.match(badStore.stderr, /--store .*a-file/);
    for (const [extra, message] of bad) {
      const r = await runCli(['run', '--preset', 'micro', '--store', join(dir, 'store'), ...extra]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  });
});
