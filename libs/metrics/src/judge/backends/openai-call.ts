/**
 * One chat completion with retries (docs/protocol.md#judge-run): POST {url}/chat/completions.
 * Retried: HTTP 408, 429 and 5xx, network errors and timeouts, up to maxAttempts calls, waiting
 * backoff · 2^(k-1) (k = retries so far, at most maxBackoff) times a random factor in [0.5, 1), or
 * what Retry-After asks (at most maxBackoff). Not retried: 401/403, 404 and other 4xx, malformed
 * replies; each is a CoinError saying what to fix.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { judgeCancelled } from '../cancel.js';
import type { CachedReply } from './judge-cache.js';
import { authFailed, badModel, badReply, gaveUp, noEndpoint, rejected, unreachable } from './openai-errors.js';

export interface ChatEndpoint {
  /** The base url as the user gave it (for messages). */
  readonly url: string;
  readonly model: string;
  readonly apiKey: string | undefined;
  readonly apiKeyEnv: string;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  readonly random: () => number;
  /** Called before every repeated call. */
  readonly onRetry: () => void;
}

const RETRYABLE = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/** The server's own words: error.message, message or detail of a JSON body, else the body's start. */
function serverMessage(body: string): string {
  try {
    const v = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
    const m = typeof v.error === 'object' && v.error !== null ? v.error.message : (v.error ?? v.message ?? v.detail);
    if (typeof m === 'string' && m !== '') return m.slice(0, 300);
  } catch {
    // not JSON: the raw text
  }
  return body.trim().slice(0, 300) || '(empty body)';
}

/** Retry-After in ms (seconds or an HTTP date), or undefined. */
function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (header.trim() !== '' && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function describeNetworkError(e: unknown): string {
  const cause = e instanceof Error ? (e.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return e instanceof Error ? e.message : String(e);
}

export function parseCompletion(url: string, body: string): CachedReply {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    throw badReply(url, `the body is not JSON: ${JSON.stringify(body.slice(0, 100))}`);
  }
  const choices = (v as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices) || choices.length === 0) throw badReply(url, 'it has no "choices"');
  const choice = choices[0] as { message?: unknown; finish_reason?: unknown } | null;
  const message = choice?.message as { content?: unknown; refusal?: unknown } | undefined;
  if (typeof message !== 'object' || message === null) throw badReply(url, 'choices[0] has no "message"');
  const { content } = message;
  if (content !== undefined && content !== null && typeof content !== 'string')
    throw badReply(url, 'choices[0].message.content is not a string');
  const finishReason = typeof choice?.finish_reason === 'string' ? choice.finish_reason : null;
  const refusal = typeof message.refusal === 'string' && message.refusal !== '';
  return { text: content ?? '', finishReason, refusal };
}

export async function callChatCompletion(
  endpoint: ChatEndpoint,
  body: object,
  signal: AbortSignal | undefined,
): Promise<CachedReply> {
  const target = `${endpoint.url}/chat/completions`;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (endpoint.apiKey !== undefined) headers.authorization = `Bearer ${endpoint.apiKey}`;
  const payload = JSON.stringify(body);
  let last: { status: number; message: string } | { network: string } = { network: 'not tried' };
  for (let attempt = 1; attempt <= endpoint.maxAttempts; attempt += 1) {
    if (signal?.aborted) throw judgeCancelled(signal);
    let waitMs: number | undefined;
    const reply = await post(target, headers, payload, endpoint.timeoutMs, signal);
    if ('network' in reply) last = reply;
    else {
      const { res, text } = reply;
      if (res.ok) return parseCompletion(endpoint.url, text);
      const message = serverMessage(text);
      if (res.status === 401 || res.status === 403)
        throw authFailed(endpoint.url, res.status, endpoint.apiKeyEnv, endpoint.apiKey !== undefined);
      if (res.status === 404)
        throw /model/i.test(message) ? badModel(endpoint.url, endpoint.model, message) : noEndpoint(target, message);
      if (!RETRYABLE(res.status)) throw rejected(endpoint.url, res.status, message);
      last = { status: res.status, message };
      waitMs = retryAfterMs(res.headers.get('retry-after'), Date.now());
    }
    if (attempt === endpoint.maxAttempts) break;
    endpoint.onRetry();
    const backoff = Math.min(endpoint.maxBackoffMs, endpoint.backoffMs * 2 ** (attempt - 1));
    const delay = Math.min(endpoint.maxBackoffMs, waitMs ?? backoff * (0.5 + endpoint.random() / 2));
    try {
      await sleep(delay, undefined, { signal });
    } catch {
      throw judgeCancelled(signal!);
    }
  }
  if ('network' in last) throw unreachable(endpoint.url, last.network, endpoint.maxAttempts);
  throw gaveUp(endpoint.url, last.status, endpoint.maxAttempts, last.message);
}

/**
 * One POST and its body; a failure to get them (refused, reset, timed out) is a network error.
 * Its own controller, not AbortSignal.any: a long run would pile listeners on the caller's signal.
 */
async function post(
  target: string,
  headers: Record<string, string>,
  payload: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<{ res: Response; text: string } | { network: string }> {
  const call = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    call.abort();
  }, timeoutMs);
  const onAbort = (): void => call.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await fetch(target, { method: 'POST', headers, body: payload, signal: call.signal });
    return { res, text: await res.text() };
  } catch (e) {
    if (signal?.aborted) throw judgeCancelled(signal);
    return { network: timedOut ? `no reply within ${timeoutMs / 1000} s` : describeNetworkError(e) };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
