/**
 * The proto RunSpec (run.proto) as the pipeline's RunSpecInput, resolved and checked by
 * `resolveRunSpec` (a bad value is INVALID_ARGUMENT with the CLI flag's message), and back. Fields
 * the embedded run cannot honour yet are refused by name rather than ignored. What the proto cannot
 * say yet (world size, pretraining steps, evaluation batch) comes from the orchestrator's
 * `specDefaults`. To be replaced by @coin/pipeline's lossless spec wire format.
 */
import { invalidArgument } from '@coin/core';
import {
  Fidelity,
  InstructionVariant,
  JudgeBackend,
  Method,
  Preset,
  type RunSpec as ProtoRunSpec,
} from '@coin/contracts/nest';
import { METHOD_CATALOGUE, resolveRunSpec, type RunSpec, type RunSpecInput } from '@coin/pipeline';

const METHOD_NAMES: Readonly<Partial<Record<Method, string>>> = {
  [Method.METHOD_LORA]: 'lora',
  [Method.METHOD_MOELORA]: 'moelora',
  [Method.METHOD_FULL]: 'full',
  [Method.METHOD_MULTITASK]: 'multitask',
  [Method.METHOD_ZEROSHOT]: 'zeroshot',
  [Method.METHOD_REPLAY]: 'replay',
  [Method.METHOD_EWC]: 'ewc',
  [Method.METHOD_LWF]: 'lwf',
  [Method.METHOD_OLORA]: 'olora',
};
const PRESET_NAMES: Readonly<Partial<Record<Preset, string>>> = {
  [Preset.PRESET_MICRO]: 'micro',
  [Preset.PRESET_TINY]: 'tiny',
  [Preset.PRESET_SMALL]: 'small',
};
const VARIANT_NAMES: Readonly<Partial<Record<InstructionVariant, string>>> = {
  [InstructionVariant.INSTRUCTION_VARIANT_ORIGINAL]: 'original',
  [InstructionVariant.INSTRUCTION_VARIANT_DIVERSE]: 'diverse',
  [InstructionVariant.INSTRUCTION_VARIANT_TEN_TYPE]: '10type',
};
const reverse = <K extends number>(m: Readonly<Partial<Record<K, string>>>) =>
  new Map(Object.entries(m).map(([k, v]) => [v as string, Number(k) as K]));

const bad = (message: string, hint?: string) => invalidArgument('RUN.BAD_FLAG', message, hint);
const unsupported = (field: string) =>
  bad(`spec.${field} is not supported by this orchestrator yet`, `leave spec.${field} unset`);

/** Set means present and not null (proto-loader leaves unset optional scalars out, messages null). */
const isSet = (v: unknown) => v !== undefined && v !== null;

function methodFlags(method: string, p: ProtoRunSpec): Record<string, string> {
  const flags: Record<string, string> = {};
  const put = (flag: string, v: unknown) => {
    if (isSet(v)) flags[flag] = String(v);
  };
  // Flags the method does not have are refused by the catalogue, naming the method's own.
  const hp = p.hyperParameters;
  const lora = method === 'moelora' ? 'moe' : 'lora';
  put(`${lora}-rank`, hp?.loraRank);
  put(`${lora}-alpha`, hp?.loraAlpha);
  put(`${lora}-dropout`, hp?.loraDropout);
  const mp = p.methodParameters;
  for (const key of ['moelora', 'replay', 'ewc', 'lwf', 'olora'] as const)
    if (mp?.[key] && key !== method)
      throw bad(
        `spec.method_parameters.${key} is set but the method is ${method}`,
        `set only method_parameters.${method}`,
      );
  put('moe-experts', mp?.moelora?.experts ?? hp?.moeloraExperts);
  put('replay-per-task', mp?.replay?.perTask);
  put('ewc-lambda', mp?.ewc?.lambda);
  put('lwf-alpha', mp?.lwf?.alpha);
  put('lwf-temperature', mp?.lwf?.temperature);
  put('olora-lambda', mp?.olora?.lambda);
  return flags;
}

function judgeInput(p: ProtoRunSpec): RunSpecInput['judge'] {
  const j = p.judge;
  if (!j || j.backend === JudgeBackend.JUDGE_BACKEND_UNSPECIFIED || j.backend === JudgeBackend.JUDGE_BACKEND_RUBRIC)
    return { backend: 'rubric' };
  if (j.backend !== JudgeBackend.JUDGE_BACKEND_OPENAI) throw unsupported('judge.backend (ONNX)');
  const s = j.sampling;
  const greedy =
    !s || ((s.temperature ?? 0) === 0 && !isSet(s.topP) && !isSet(s.maxTokens) && !isSet(s.repetitionPenalty));
  const coin = s?.temperature === 0.7 && s.topP === 0.8 && s.maxTokens === 20 && s.repetitionPenalty === 1.05;
  if (!greedy && !coin)
    throw bad(
      'spec.judge.sampling must be greedy (unset, or temperature 0) or CoIN’s (0.7, top_p 0.8, 20 tokens, penalty 1.05)',
    );
  return {
    backend: 'openai',
    url: j.endpoint || undefined,
    model: j.model || undefined,
    apiKeyEnv: j.apiKeyEnv || undefined,
    sampling: greedy ? 'greedy' : 'coin',
    concurrency: j.concurrency || undefined,
  };
}

/** The resolved pipeline spec of a proto RunSpec; INVALID_ARGUMENT (RUN.BAD_FLAG) for a bad one. */
export function runSpecFromProto(p: ProtoRunSpec | undefined, defaults: Partial<RunSpecInput> = {}): RunSpec {
  if (!p) throw bad('spec is required', 'send CreateRunRequest.spec with at least spec.method');
  const method = METHOD_NAMES[p.method];
  if (!method) throw bad('spec.method is required', `one of ${Object.values(METHOD_NAMES).join(', ')}`);
  if (p.dataSource && p.dataSource !== 'synth') throw unsupported('data_source');
  if (p.evalSampleLimit) throw unsupported('eval_sample_limit');
  const hp = p.hyperParameters;
  for (const f of [
    'projectorLearningRate',
    'gradientAccumulationSteps',
    'warmupRatio',
    'weightDecay',
    'maxSequenceLength',
    'maxNewTokens',
  ] as const)
    if (isSet(hp?.[f])) throw unsupported(`hyper_parameters.${f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`);
  const legacyPreset = p.model?.startsWith('coin-') ? p.model.slice(5) : undefined;
  if (p.model && !legacyPreset && !p.baseModel) throw unsupported('model (use preset or base_model)');
  const training = {
    ...(isSet(hp?.epochs) ? { epochs: hp!.epochs } : {}),
    ...(isSet(hp?.learningRate) ? { lr: hp!.learningRate } : {}),
    ...(isSet(hp?.batchSize) ? { batchSize: hp!.batchSize } : {}),
  };
  const input: RunSpecInput = {
    ...defaults,
    preset: PRESET_NAMES[p.preset] ?? legacyPreset ?? defaults.preset,
    ...(p.baseModel ? { base: p.baseModel } : {}),
    method,
    methodFlags: methodFlags(method, p),
    order: p.taskOrder.length > 0 ? p.taskOrder.join(',') : 'default',
    variant: VARIANT_NAMES[p.instructionVariant] ?? 'original',
    fraction: p.dataFraction || 1,
    seed: p.seed,
    fidelity: p.fidelity === Fidelity.FIDELITY_STRICT ? 'strict' : 'coin',
    fullMatrix: p.fullMatrix,
    judge: judgeInput(p),
    training: { ...defaults.training, ...training },
  };
  return resolveRunSpec(input, METHOD_CATALOGUE);
}

const METHOD_ENUM = reverse(METHOD_NAMES);
const PRESET_ENUM = reverse(PRESET_NAMES);
const VARIANT_ENUM = reverse(VARIANT_NAMES);

/** The resolved spec as the proto RunSpec GetRun answers with (every default filled in). */
export function runSpecToProto(spec: RunSpec): ProtoRunSpec {
  const judge = spec.judge;
  return {
    model: '',
    method: METHOD_ENUM.get(spec.method) ?? Method.METHOD_UNSPECIFIED,
    taskOrder: [...spec.tasks],
    instructionVariant: VARIANT_ENUM.get(spec.variant) ?? InstructionVariant.INSTRUCTION_VARIANT_UNSPECIFIED,
    dataFraction: spec.fraction,
    seed: spec.seed,
    hyperParameters: {
      learningRate: spec.training.lr,
      epochs: spec.training.epochs,
      batchSize: spec.training.batchSize,
    },
    dataSource: 'synth',
    judge:
      judge.backend === 'rubric'
        ? { backend: JudgeBackend.JUDGE_BACKEND_RUBRIC, model: '', endpoint: '', apiKeyEnv: '', concurrency: 0 }
        : {
            backend: JudgeBackend.JUDGE_BACKEND_OPENAI,
            model: judge.model,
            endpoint: judge.url,
            apiKeyEnv: judge.apiKeyEnv,
            concurrency: judge.concurrency,
            sampling:
              judge.sampling === 'coin'
                ? { temperature: 0.7, topP: 0.8, maxTokens: 20, repetitionPenalty: 1.05 }
                : { temperature: 0 },
          },
    evalSampleLimit: 0,
    preset: PRESET_ENUM.get(spec.preset) ?? Preset.PRESET_UNSPECIFIED,
    baseModel: spec.base ?? '',
    fidelity: spec.fidelity === 'strict' ? Fidelity.FIDELITY_STRICT : Fidelity.FIDELITY_COIN,
    fullMatrix: spec.fullMatrix,
  };
}
