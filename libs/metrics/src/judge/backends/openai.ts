/**
 * The OpenAI-compatible judge (docs/protocol.md#judge-run): vLLM, Ollama, OpenAI or any server of
 * POST {url}/chat/completions. Calls run `concurrency` at a time with retries (openai-call.ts);
 * replies are cached by sha256 of (model, sampling, messages) when a cache folder is given
 * (judge-cache.ts). The API key is read from an environment variable (OPENAI_API_KEY unless told
 * otherwise), sent as a Bearer token and never written anywhere else.
 */
import type { Fidelity } from '../../scorers/types.js';
import type { JudgeBackend, JudgeReply, JudgeRunOptions, JudgeStats } from '../backend.js';
import { throwIfCancelled } from '../cancel.js';
import type { JudgeRequest } from '../requests.js';
import { parseJudgeScoreCoin, parseJudgeScoreStrict } from '../score.js';
import { JudgeCache, judgeCacheKey, type CachedReply } from './judge-cache.js';
import { callChatCompletion, type ChatEndpoint } from './openai-call.js';
import { badOption } from './openai-errors.js';
import {
  chatMessages,
  checkSampling,
  DEFAULT_JUDGE_SAMPLING,
  defaultMessageMode,
  type JudgeMessageMode,
  type JudgeSampling,
} from './openai-options.js';
import { forEachLimited } from './pool.js';
import { isRefusal } from './refusal.js';

export interface OpenAiJudgeOptions {
  /** Base url of the API, e.g. http://localhost:8000/v1 (vLLM) or http://localhost:11434/v1 (Ollama). */
  readonly url: string;
  /** The model the server serves, e.g. "Qwen/Qwen1.5-32B-Chat". */
  readonly model: string;
  /** Environment variable holding the API key (default OPENAI_API_KEY); unset: no Authorization header. */
  readonly apiKeyEnv?: string;
  /** Where apiKeyEnv is looked up (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Default DEFAULT_JUDGE_SAMPLING (temperature 0); COIN_JUDGE_SAMPLING is CoIN's run. */
  readonly sampling?: JudgeSampling;
  /** Which score parser counts parse failures, and the default message mode (default coin). */
  readonly fidelity?: Fidelity;
  /** Default: coin under coin fidelity, both under strict. */
  readonly messages?: JudgeMessageMode;
  /** Calls in flight at once (default 4). */
  readonly concurrency?: number;
  /** Calls per request before giving up (default 5). */
  readonly maxAttempts?: number;
  /** One call's limit (default 120 000 ms). */
  readonly timeoutMs?: number;
  /** First retry's wait before jitter (default 500 ms); doubles per retry. */
  readonly backoffMs?: number;
  /** Longest wait between calls, Retry-After included (default 30 000 ms). */
  readonly maxBackoffMs?: number;
  /** Folder of the reply cache; none: no cache. */
  readonly cacheDir?: string;
  /** Jitter source (default Math.random). */
  readonly random?: () => number;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1)
    throw badOption(`judge ${name} must be a positive integer, got ${v}`, `give ${name} ≥ 1`);
  return v;
}

function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badOption(
      `the judge url ${JSON.stringify(url)} is not a URL`,
      'give --judge-url like http://localhost:8000/v1',
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw badOption(`the judge url ${url} is not http(s)`, 'give --judge-url like http://localhost:8000/v1');
  return url.replace(/\/+$/, '');
}

export class OpenAiJudge implements JudgeBackend {
  readonly name = 'openai';
  readonly label: string;
  private readonly endpoint: ChatEndpoint;
  private readonly sampling: JudgeSampling;
  private readonly mode: JudgeMessageMode;
  private readonly fidelity: Fidelity;
  private readonly concurrency: number;
  private readonly cacheDir: string | undefined;
  private cache: Promise<JudgeCache> | undefined;
  private readonly counts = { requests: 0, cacheHits: 0, retries: 0, refusals: 0, parseFailures: 0 };

  constructor(options: OpenAiJudgeOptions) {
    if (options.model.trim() === '')
      throw badOption('the judge model is empty', 'name the served model with --judge-model');
    const apiKeyEnv = options.apiKeyEnv ?? 'OPENAI_API_KEY';
    const apiKey = (options.env ?? process.env)[apiKeyEnv];
    this.label = options.model;
    this.sampling = options.sampling ?? DEFAULT_JUDGE_SAMPLING;
    checkSampling(this.sampling);
    this.fidelity = options.fidelity ?? 'coin';
    this.mode = options.messages ?? defaultMessageMode(this.fidelity);
    this.concurrency = positiveInteger('concurrency', options.concurrency, 4);
    this.cacheDir = options.cacheDir;
    this.endpoint = {
      url: checkUrl(options.url),
      model: options.model,
      apiKey: apiKey === undefined || apiKey === '' ? undefined : apiKey,
      apiKeyEnv,
      maxAttempts: positiveInteger('maxAttempts', options.maxAttempts, 5),
      timeoutMs: positiveInteger('timeoutMs', options.timeoutMs, 120_000),
      backoffMs: options.backoffMs ?? 500,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
      random: options.random ?? Math.random,
      onRetry: () => {
        this.counts.retries += 1;
      },
    };
  }

  async judge(requests: readonly JudgeRequest[], options: JudgeRunOptions = {}): Promise<JudgeReply[]> {
    throwIfCancelled(options.signal);
    const cache = this.cacheDir === undefined ? undefined : await (this.cache ??= JudgeCache.open(this.cacheDir));
    const replies: JudgeReply[] = new Array<JudgeReply>(requests.length);
    let done = 0;
    const answer = (k: number, reply: CachedReply): void => {
      replies[k] = this.reply(requests[k].id, reply);
      done += 1;
      options.onProgress?.(done, requests.length);
    };
    const calls = requests.map((request) => {
      const messages = chatMessages(request, this.mode);
      const body = { model: this.endpoint.model, messages, ...this.sampling };
      return { body, key: judgeCacheKey(this.endpoint.model, this.sampling, messages) };
    });
    const pending: number[] = [];
    calls.forEach((call, k) => {
      const hit = cache?.get(call.key);
      if (hit === undefined) pending.push(k);
      else {
        this.counts.cacheHits += 1;
        answer(k, hit);
      }
    });
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    await forEachLimited(
      pending,
      this.concurrency,
      async (k) => {
        const reply = await callChatCompletion(this.endpoint, calls[k].body, signal);
        await cache?.put(calls[k].key, this.endpoint.model, reply);
        answer(k, reply);
      },
      () => stop.abort(new Error('another judge request failed')),
    );
    return replies;
  }

  private reply(id: string, reply: CachedReply): JudgeReply {
    this.counts.requests += 1;
    const refused = isRefusal(reply.text, reply.finishReason, reply.refusal);
    if (refused) this.counts.refusals += 1;
    if (!parses(reply.text, this.fidelity)) this.counts.parseFailures += 1;
    return refused ? { id, text: reply.text, refused } : { id, text: reply.text };
  }

  stats(): JudgeStats {
    return { ...this.counts };
  }
}

/** Whether the fidelity's score parser finds a score (coin's parser crashing counts as not). */
function parses(text: string, fidelity: Fidelity): boolean {
  try {
    return (fidelity === 'coin' ? parseJudgeScoreCoin(text) : parseJudgeScoreStrict(text)).parsed;
  } catch {
    return false;
  }
}

export function openAiJudge(options: OpenAiJudgeOptions): JudgeBackend {
  return new OpenAiJudge(options);
}
