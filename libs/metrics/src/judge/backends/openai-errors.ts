/**
 * The OpenAI-compatible judge's failures (docs/protocol.md#judge-run), each naming the server and
 * what to do. None of them carries the API key.
 */
import { CoinError } from '@coin/core';

export function unreachable(url: string, why: string, attempts: number): CoinError {
  return new CoinError(
    'JUDGE.UNREACHABLE',
    'UNAVAILABLE',
    `the judge server at ${url} cannot be reached (${why}; ${attempts} attempts)`,
    {
      hint: 'start an OpenAI-compatible server there (vLLM: `vllm serve <model> --port 8000`; Ollama: `ollama serve`, url http://localhost:11434/v1) or fix --judge-url',
      details: { url, attempts },
    },
  );
}

export function authFailed(url: string, status: number, apiKeyEnv: string, keySet: boolean): CoinError {
  const problem = keySet ? `refused the API key in ${apiKeyEnv}` : `wants an API key and ${apiKeyEnv} is not set`;
  return new CoinError('JUDGE.AUTH', 'FAILED_PRECONDITION', `the judge server at ${url} ${problem} (HTTP ${status})`, {
    hint: `export ${apiKeyEnv}=<a key this server accepts>`,
    details: { url, status, apiKeyEnv },
  });
}

export function badModel(url: string, model: string, serverMessage: string): CoinError {
  return new CoinError(
    'JUDGE.BAD_MODEL',
    'NOT_FOUND',
    `the judge server at ${url} has no model "${model}": ${serverMessage}`,
    {
      hint: 'name a model the server serves (GET <url>/models lists them; Ollama: `ollama pull <model>` first) with --judge-model',
      details: { url, model },
    },
  );
}

export function noEndpoint(endpoint: string, serverMessage: string): CoinError {
  return new CoinError('JUDGE.BAD_URL', 'INVALID_ARGUMENT', `${endpoint} does not exist (HTTP 404): ${serverMessage}`, {
    hint: 'give --judge-url the base of the OpenAI-compatible API, usually ending in /v1 (http://localhost:8000/v1)',
    details: { endpoint },
  });
}

export function rejected(url: string, status: number, serverMessage: string): CoinError {
  return new CoinError(
    'JUDGE.REJECTED',
    'INVALID_ARGUMENT',
    `the judge server at ${url} rejected the request (HTTP ${status}): ${serverMessage}`,
    {
      hint: 'a sampling field the server does not know (repetition_penalty is vLLM-only) or a prompt longer than its context are the usual causes',
      details: { url, status },
    },
  );
}

export function gaveUp(url: string, status: number, attempts: number, serverMessage: string): CoinError {
  const code = status === 429 ? 'JUDGE.RATE_LIMITED' : 'JUDGE.SERVER_ERROR';
  return new CoinError(
    code,
    'UNAVAILABLE',
    `the judge server at ${url} answered HTTP ${status} ${attempts} times: ${serverMessage}`,
    {
      hint:
        status === 429
          ? 'lower --judge-concurrency, or wait for the rate limit to reset and run again (cached replies are kept)'
          : 'check the server log; run again when it is healthy (cached replies are kept)',
      details: { url, status, attempts },
    },
  );
}

export function badReply(url: string, problem: string): CoinError {
  return new CoinError(
    'JUDGE.BAD_REPLY',
    'UNAVAILABLE',
    `the judge server at ${url} sent a malformed chat completion: ${problem}`,
    {
      hint: 'is --judge-url an OpenAI-compatible chat-completions API (vLLM, Ollama, OpenAI)?',
      details: { url },
    },
  );
}

export function badOption(message: string, hint: string): CoinError {
  return new CoinError('JUDGE.BAD_OPTION', 'INVALID_ARGUMENT', message, { hint });
}
