/** The judge backend a run spec names (docs/protocol.md#the-judge). */
import {
  COIN_JUDGE_SAMPLING,
  DEFAULT_JUDGE_SAMPLING,
  type JudgeBackend,
  openAiJudge,
  rubricJudge,
} from '@coin/metrics';
import type { JudgeSpec } from '../spec/judge-spec.js';
import type { Fidelity } from '@coin/training';

export interface JudgeBackendOptions {
  /** Where the API key variable is looked up. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reply cache of a remote judge. */
  readonly cacheDir: string;
  readonly fidelity: Fidelity;
}

export function makeJudgeBackend(spec: JudgeSpec, o: JudgeBackendOptions): JudgeBackend {
  if (spec.backend === 'rubric') return rubricJudge();
  return openAiJudge({
    url: spec.url,
    model: spec.model,
    apiKeyEnv: spec.apiKeyEnv,
    env: o.env,
    sampling: spec.sampling === 'coin' ? COIN_JUDGE_SAMPLING : DEFAULT_JUDGE_SAMPLING,
    fidelity: o.fidelity,
    concurrency: spec.concurrency,
    cacheDir: o.cacheDir,
  });
}
