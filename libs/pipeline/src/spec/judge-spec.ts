/** Which judge scores a run's answers (docs/protocol.md#the-judge). */
import { invalidArgument } from '@coin/core';

export type JudgeSpec =
  | { readonly backend: 'rubric' }
  | {
      readonly backend: 'openai';
      readonly url: string;
      readonly model: string;
      /** The environment variable holding the API key (its value is never part of the spec). */
      readonly apiKeyEnv: string;
      /** `greedy`: temperature 0; `coin`: CoIN's sampling (T 0.7, top-p 0.8, 20 tokens). */
      readonly sampling: 'greedy' | 'coin';
      readonly concurrency: number;
    };

export interface JudgeSpecInput {
  readonly backend?: string;
  readonly url?: string;
  readonly model?: string;
  readonly apiKeyEnv?: string;
  readonly sampling?: string;
  readonly concurrency?: number;
}

export function resolveJudgeSpec(input: JudgeSpecInput): JudgeSpec {
  const backend = input.backend ?? 'rubric';
  if (backend === 'rubric') return { backend };
  if (backend !== 'openai')
    throw invalidArgument('RUN.BAD_FLAG', `--judge ${JSON.stringify(backend)} is not one of rubric, openai`);
  if (!input.url)
    throw invalidArgument(
      'RUN.BAD_FLAG',
      '--judge openai needs --judge-url',
      'e.g. --judge-url http://localhost:8000/v1 (vLLM) or http://localhost:11434/v1 (Ollama)',
    );
  if (!input.model)
    throw invalidArgument(
      'RUN.BAD_FLAG',
      '--judge openai needs --judge-model',
      'the model name the server serves, e.g. Qwen/Qwen1.5-32B-Chat',
    );
  try {
    new URL(input.url);
  } catch {
    throw invalidArgument(
      'RUN.BAD_FLAG',
      `--judge-url ${JSON.stringify(input.url)} is not a URL`,
      'e.g. http://localhost:8000/v1',
    );
  }
  const sampling = input.sampling ?? 'greedy';
  if (sampling !== 'greedy' && sampling !== 'coin')
    throw invalidArgument('RUN.BAD_FLAG', `--judge-sampling ${JSON.stringify(sampling)} is not one of greedy, coin`);
  const concurrency = input.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)
    throw invalidArgument(
      'RUN.BAD_FLAG',
      `--judge-concurrency must be a whole number from 1 to 256, got ${concurrency}`,
    );
  return {
    backend,
    url: input.url,
    model: input.model,
    apiKeyEnv: input.apiKeyEnv ?? 'OPENAI_API_KEY',
    sampling,
    concurrency,
  };
}
