/**
 * The judge behind one interface (docs/protocol.md#judge-run): a backend turns judge requests into
 * judge texts, which CoIN's score parser then reads (aggregateJudgeScores). Two backends exist:
 * the deterministic rubric (backends/rubric.ts) and an OpenAI-compatible server (backends/openai.ts).
 */
import type { JudgeRequest } from './requests.js';

/** One judge text, for the request with the same id. */
export interface JudgeReply {
  readonly id: string;
  /** What the judge wrote; the score parser reads it. */
  readonly text: string;
  /** The judge declined (a refusal without a score, or a content filter). */
  readonly refused?: boolean;
}

/** Counts since the backend was made. */
export interface JudgeStats {
  /** Requests answered, from the cache or not. */
  readonly requests: number;
  /** Requests answered from the cache, without a call. */
  readonly cacheHits: number;
  /** Calls repeated after a rate limit, a server error, a timeout or a network error. */
  readonly retries: number;
  readonly refusals: number;
  /** Replies the score parser of the backend's fidelity finds nothing usable in. */
  readonly parseFailures: number;
}

export interface JudgeRunOptions {
  /** Stops the run: calls in flight are aborted and judge() rejects with JUDGE.CANCELLED. */
  readonly signal?: AbortSignal;
  /** Called after every answered request. */
  onProgress?(done: number, total: number): void;
}

export interface JudgeBackend {
  readonly name: 'rubric' | 'openai';
  /** 'rubric', or the model name; results name their judge with it. */
  readonly label: string;
  /** One reply per request, in the requests' order. */
  judge(requests: readonly JudgeRequest[], options?: JudgeRunOptions): Promise<JudgeReply[]>;
  stats(): JudgeStats;
  close?(): Promise<void>;
}
