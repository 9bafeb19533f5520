import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CoinError } from '@coin/core';
import { judgeCell } from '../cell.js';
import type { JudgeRequest } from '../requests.js';
import { JUDGE_SYSTEM_MESSAGE } from '../rules.js';
import { JUDGE_CACHE_FILE } from './judge-cache.js';
import { OpenAiJudge, type OpenAiJudgeOptions } from './openai.js';
import { COIN_JUDGE_SAMPLING } from './openai-options.js';

interface Seen {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: { model: string; messages: Array<{ role: string; content: string }>; [k: string]: unknown };
}

interface Answer {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  /** A JSON value (sent as JSON) or raw text. */
  readonly body?: unknown;
  readonly delayMs?: number;
  /** Never answer (a hung server). */
  readonly hang?: boolean;
}

const completion = (content: string | null, finishReason = 'stop') => ({
  id: 'x',
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finishReason }],
});

/** A real OpenAI-compatible server on 127.0.0.1: `answer` decides each reply; it counts what is in flight. */
class FakeJudgeServer {
  readonly seen: Seen[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private server: Server | undefined;

  constructor(private readonly answer: (seen: Seen, n: number) => Answer) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => {
        const seen: Seen = { url: req.url ?? '', headers: req.headers, body: JSON.parse(raw) as Seen['body'] };
        this.seen.push(seen);
        this.inFlight += 1;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        const a = this.answer(seen, this.seen.length);
        if (a.hang) return;
        setTimeout(() => {
          this.inFlight -= 1;
          const text = typeof a.body === 'string' ? a.body : JSON.stringify(a.body ?? completion('8'));
          res.writeHead(a.status ?? 200, { 'content-type': 'application/json', ...a.headers });
          res.end(text);
        }, a.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/v1`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

const servers: FakeJudgeServer[] = [];
const dirs: string[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function serve(answer: (seen: Seen, n: number) => Answer): Promise<{ server: FakeJudgeServer; url: string }> {
  const server = new FakeJudgeServer(answer);
  servers.push(server);
  return { server, url: await server.start() };
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'coin-judge-'));
  dirs.push(d);
  return d;
}

function request(k: number, answer = `answer ${k}`): JudgeRequest {
  const user = `[Context]\n[Question]\n<image>\nq${k}\n\n[Ground truth answer]\nred\n\n[End of ground truth answer]\n\n[Assistant]\n${answer}\n\n[End of Assistant]\n\n[System]\nrate\n\n`;
  return {
    id: String(k),
    task: 'GQA',
    messages: [
      { role: 'system', content: JUDGE_SYSTEM_MESSAGE },
      { role: 'user', content: user },
    ],
    question: `<image>\nq${k}`,
    groundTruth: 'red',
    answer,
    rule: 'CoIN',
  };
}

const requests = (n: number): JudgeRequest[] => Array.from({ length: n }, (_, k) => request(k + 1));

function judge(url: string, options: Partial<OpenAiJudgeOptions> = {}): OpenAiJudge {
  return new OpenAiJudge({ url, model: 'qwen', env: {}, backoffMs: 1, maxBackoffMs: 50, ...options });
}

const coinError = (code: string, message?: RegExp) => (e: unknown) =>
  e instanceof CoinError && e.code === code && (message === undefined || message.test(e.describe()));

describe('OpenAI-compatible judge', () => {
  it('posts chat completions and returns the replies in request order', async () => {
    const { server, url } = await serve((seen) => ({
      body: completion(seen.body.messages[1].content.includes('q2') ? '3' : '9'),
      delayMs: seen.body.messages[1].content.includes('q1') ? 30 : 0,
    }));
    const backend = judge(url);
    const replies = await backend.judge(requests(3));
    assert.deepEqual(replies, [
      { id: '1', text: '9' },
      { id: '2', text: '3' },
      { id: '3', text: '9' },
    ]);
    const first = server.seen[0];
    assert.equal(first.url, '/v1/chat/completions');
    assert.equal(first.headers.authorization, undefined); // no key in the environment: no header
    // coin messages: CoIN's judge run keeps the user message only, <image> removed and trimmed
    assert.deepEqual(first.body, {
      model: 'qwen',
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: request(1).messages[1].content.replace('<image>', '').trim() },
      ],
      temperature: 0,
      max_tokens: 20,
    });
    assert.equal(backend.label, 'qwen');
    assert.deepEqual(backend.stats(), { requests: 3, cacheHits: 0, retries: 0, refusals: 0, parseFailures: 0 });
  });

  it('sends the API key from the named variable as a Bearer token, the sampling as configured, both messages', async () => {
    const { server, url } = await serve(() => ({}));
    await judge(url, {
      apiKeyEnv: 'MY_JUDGE_KEY',
      env: { MY_JUDGE_KEY: 'sk-test-123' },
      sampling: COIN_JUDGE_SAMPLING,
      messages: 'both',
    }).judge(requests(1));
    const seen = server.seen[0];
    assert.equal(seen.headers.authorization, 'Bearer sk-test-123');
    assert.deepEqual(
      [seen.body.temperature, seen.body.top_p, seen.body.repetition_penalty, seen.body.max_tokens],
      [0.7, 0.8, 1.05, 20],
    );
    assert.equal(seen.body.messages[0].content, JUDGE_SYSTEM_MESSAGE);
    // strict fidelity defaults to both messages too
    await judge(url, { fidelity: 'strict' }).judge(requests(1));
    assert.equal(server.seen[1].body.messages[0].content, JUDGE_SYSTEM_MESSAGE);
  });

  it('retries a 429, honouring Retry-After over its own backoff', async () => {
    const { server, url } = await serve((_, n) =>
      n === 1 ? { status: 429, headers: { 'retry-after': '0' }, body: { error: { message: 'slow down' } } } : {},
    );
    const backend = judge(url, { backoffMs: 60_000, maxBackoffMs: 60_000 });
    const started = Date.now();
    assert.deepEqual(await backend.judge(requests(1)), [{ id: '1', text: '8' }]);
    assert.ok(Date.now() - started < 5_000, 'waited Retry-After (0 s), not the 60 s backoff');
    assert.equal(server.seen.length, 2);
    assert.equal(backend.stats().retries, 1);
  });

  it('gives up after maxAttempts 5xx replies: JUDGE.SERVER_ERROR', async () => {
    const { server, url } = await serve(() => ({ status: 503, body: { message: 'overloaded' } }));
    const backend = judge(url, { maxAttempts: 3 });
    await assert.rejects(backend.judge(requests(1)), coinError('JUDGE.SERVER_ERROR', /HTTP 503 3 times: overloaded/));
    assert.equal(server.seen.length, 3);
    assert.equal(backend.stats().retries, 2);
  });

  it('401: JUDGE.AUTH naming the variable, not the key; not retried', async () => {
    const { server, url } = await serve(() => ({ status: 401, body: { error: { message: 'bad key' } } }));
    await assert.rejects(
      judge(url, { env: { OPENAI_API_KEY: 'sk-secret' } }).judge(requests(1)),
      (e: unknown) =>
        coinError('JUDGE.AUTH', /refused the API key in OPENAI_API_KEY/)(e) &&
        !JSON.stringify([(e as CoinError).describe(), (e as CoinError).details]).includes('sk-secret'),
    );
    await assert.rejects(judge(url).judge(requests(1)), coinError('JUDGE.AUTH', /OPENAI_API_KEY is not set/));
    assert.equal(server.seen.length, 2);
  });

  it('404: JUDGE.BAD_MODEL when the server names the model, else JUDGE.BAD_URL', async () => {
    const model = await serve(() => ({
      status: 404,
      body: { error: { message: 'The model `qwen` does not exist.' } },
    }));
    await assert.rejects(judge(model.url).judge(requests(1)), coinError('JUDGE.BAD_MODEL', /no model "qwen"/));
    const path = await serve(() => ({ status: 404, body: 'Not Found' }));
    await assert.rejects(
      judge(path.url).judge(requests(1)),
      coinError('JUDGE.BAD_URL', /\/v1\/chat\/completions does not exist/),
    );
  });

  it('a malformed reply is JUDGE.BAD_REPLY', async () => {
    const { url } = await serve(() => ({ body: '<html>hello</html>' }));
    await assert.rejects(judge(url).judge(requests(1)), coinError('JUDGE.BAD_REPLY', /not JSON/));
    const noChoices = await serve(() => ({ body: { choices: [] } }));
    await assert.rejects(judge(noChoices.url).judge(requests(1)), coinError('JUDGE.BAD_REPLY', /no "choices"/));
  });

  it('an unreachable server, or one that never answers, is JUDGE.UNREACHABLE naming the url', async () => {
    const gone = new FakeJudgeServer(() => ({}));
    const url = await gone.start();
    await gone.stop();
    await assert.rejects(
      judge(url, { maxAttempts: 2 }).judge(requests(1)),
      coinError(
        'JUDGE.UNREACHABLE',
        new RegExp(`${url.replaceAll('.', '\\.')} cannot be reached \\(ECONNREFUSED; 2 attempts\\)[^]*--judge-url`),
      ),
    );
    const hung = await serve(() => ({ hang: true }));
    await assert.rejects(
      judge(hung.url, { maxAttempts: 2, timeoutMs: 100 }).judge(requests(1)),
      coinError('JUDGE.UNREACHABLE', /no reply within 0\.1 s/),
    );
    assert.equal(hung.server.seen.length, 2);
  });

  it('keeps at most `concurrency` calls in flight', async () => {
    const { server, url } = await serve(() => ({ delayMs: 20 }));
    const done: number[] = [];
    await judge(url, { concurrency: 3 }).judge(requests(10), { onProgress: (d) => done.push(d) });
    assert.equal(server.seen.length, 10);
    assert.equal(server.maxInFlight, 3);
    assert.deepEqual(done, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('answers a repeated cell from the cache without a call', async () => {
    const { server, url } = await serve((seen) => ({
      body: completion(`${seen.body.messages[1].content.length % 10}`),
    }));
    const cacheDir = tempDir();
    const first = await judge(url, { cacheDir }).judge(requests(4));
    assert.equal(server.seen.length, 4);
    const again = judge(url, { cacheDir }); // a new backend: the cache is read from its file
    assert.deepEqual(await again.judge(requests(4)), first);
    assert.equal(server.seen.length, 4);
    assert.deepEqual(again.stats(), { requests: 4, cacheHits: 4, retries: 0, refusals: 0, parseFailures: 0 });
    assert.equal(readFileSync(join(cacheDir, JUDGE_CACHE_FILE), 'utf8').trim().split('\n').length, 4);
    // other sampling is another key
    await judge(url, { cacheDir, sampling: COIN_JUDGE_SAMPLING }).judge(requests(1));
    assert.equal(server.seen.length, 5);
  });

  it('counts refusals and replies the parser cannot read', async () => {
    const { url } = await serve((seen) => {
      const q = seen.body.messages[1].content;
      if (q.includes('q1')) return { body: completion("I'm sorry, I can't rate this.") };
      if (q.includes('q2')) return { body: completion(null, 'content_filter') };
      if (q.includes('q3')) return { body: completion('Good answer') };
      return { body: completion('Sorry, 7') };
    });
    const backend = judge(url);
    const cell = await judgeCell(backend, requests(4), 'coin');
    assert.deepEqual(
      cell.replies.map((r) => r.refused ?? false),
      [true, true, false, false],
    );
    assert.deepEqual([cell.refusals, cell.parseFailures, cell.score, cell.n], [2, 3, 18, 4]);
    assert.deepEqual(backend.stats(), { requests: 4, cacheHits: 0, retries: 0, refusals: 2, parseFailures: 3 });
  });

  it('stops on an aborted signal with JUDGE.CANCELLED', async () => {
    const { server, url } = await serve(() => ({ hang: true }));
    const stop = new AbortController();
    const run = judge(url, { concurrency: 1 }).judge(requests(3), { signal: stop.signal });
    setTimeout(() => stop.abort('Ctrl-C'), 50);
    await assert.rejects(run, coinError('JUDGE.CANCELLED', /Ctrl-C/));
    assert.equal(server.seen.length, 1);
  });

  it('refuses bad options up front', () => {
    assert.throws(() => judge('localhost:8000'), coinError('JUDGE.BAD_OPTION', /not http/));
    assert.throws(() => judge('http://x/v1', { concurrency: 0 }), coinError('JUDGE.BAD_OPTION', /concurrency/));
    assert.throws(
      () => judge('http://x/v1', { sampling: { temperature: -1 } }),
      coinError('JUDGE.BAD_OPTION', /temperature/),
    );
    assert.throws(() => judge('http://x/v1', { model: ' ' }), coinError('JUDGE.BAD_OPTION', /model is empty/));
  });
});
