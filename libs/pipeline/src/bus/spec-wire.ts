/**
 * The run spec on the wire (docs/protocol.md#runs-over-the-event-bus): the resolved RunSpec as
 * proto/coin/v1's RunSpec and back. The proto states only what differs from the defaults (method
 * flags, training overrides, world size, eval batch), and reading it resolves it again with
 * `resolveRunSpec`, so `runSpecFromProto(runSpecToProto(spec))` is the same spec: same run id, same
 * plan, same unit keys. What the proto can say but a run cannot do yet is refused, never dropped.
 */
import { invalidArgument } from '@coin/core';
import {
  Fidelity,
  InstructionVariant,
  JudgeBackend,
  Method,
  Preset,
  type JudgeSampling,
  RunSpec as ProtoRunSpec,
} from '@coin/contracts';
import { COIN_JUDGE_SAMPLING, DEFAULT_JUDGE_SAMPLING } from '@coin/metrics';
import { METHODS, type PresetName } from '@coin/training';
import type { JudgeSpec, JudgeSpecInput } from '../spec/judge-spec.js';
import { METHOD_CATALOGUE } from '../spec/method-catalogue.js';
import {
  DEFAULT_EVAL_BATCH,
  type MethodCatalogue,
  resolveRunSpec,
  type RunSpec,
  type RunSpecInput,
} from '../spec/run-spec.js';
import { WORLD_SIZES, type WorldSize } from '../spec/world.js';

/** Where each method flag travels in the proto RunSpec (ts-proto field names, dotted). */
export const METHOD_FLAG_FIELDS: Readonly<Record<string, string>> = {
  'lora-rank': 'hyperParameters.loraRank',
  'lora-alpha': 'hyperParameters.loraAlpha',
  'lora-dropout': 'hyperParameters.loraDropout',
  'moe-rank': 'hyperParameters.loraRank',
  'moe-alpha': 'hyperParameters.loraAlpha',
  'moe-dropout': 'hyperParameters.loraDropout',
  'moe-experts': 'methodParameters.moelora.experts',
  'replay-per-task': 'methodParameters.replay.perTask',
  'ewc-lambda': 'methodParameters.ewc.lambda',
  'lwf-alpha': 'methodParameters.lwf.alpha',
  'lwf-temperature': 'methodParameters.lwf.temperature',
  'olora-lambda': 'methodParameters.olora.lambda',
};

const PRESET_TO: Readonly<Record<PresetName, Preset>> = {
  micro: Preset.PRESET_MICRO,
  tiny: Preset.PRESET_TINY,
  small: Preset.PRESET_SMALL,
};
const VARIANT_TO: Readonly<Record<RunSpec['variant'], InstructionVariant>> = {
  original: InstructionVariant.INSTRUCTION_VARIANT_ORIGINAL,
  diverse: InstructionVariant.INSTRUCTION_VARIANT_DIVERSE,
  '10type': InstructionVariant.INSTRUCTION_VARIANT_TEN_TYPE,
};
const WORLD_FIELDS = { train: 'trainPerTask', test: 'testPerTask', pretrain: 'pretrainPerTask' } as const;

const unsupported = (field: string, why: string) =>
  invalidArgument('RUN.UNSUPPORTED_FIELD', `RunSpec.${field}: ${why}`, 'leave the field unset');

function methodEnum(name: string): Method {
  const value = (Method as unknown as Record<string, Method | undefined>)[`METHOD_${name.toUpperCase()}`];
  if (value === undefined) throw new Error(`method ${name} has no Method value in run.proto`);
  return value;
}

function methodName(value: Method, catalogue: MethodCatalogue): string {
  const name = catalogue.names.find((n) => methodEnum(n) === value);
  if (name === undefined)
    throw invalidArgument(
      'RUN.BAD_FLAG',
      `RunSpec.method ${value} (${Method[value] ?? '?'}) is not a method`,
      undefined,
    );
  return name;
}

function setAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = target;
  for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
  at[keys.at(-1)!] = value;
}

function getAt(source: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], source);
}

/** The proto form of a resolved spec, stating only what differs from its defaults. */
export function runSpecToProto(spec: RunSpec, catalogue: MethodCatalogue = METHOD_CATALOGUE): ProtoRunSpec {
  const out: Record<string, unknown> = {
    model: '',
    method: methodEnum(spec.method),
    taskOrder: [...spec.tasks],
    instructionVariant: VARIANT_TO[spec.variant],
    dataFraction: spec.fraction,
    seed: spec.seed,
    dataSource: 'synth',
    judge: judgeToProto(spec.judge),
    evalSampleLimit: 0,
    preset: PRESET_TO[spec.preset],
    baseModel: spec.base ?? '',
    fidelity: spec.fidelity === 'coin' ? Fidelity.FIDELITY_COIN : Fidelity.FIDELITY_STRICT,
    fullMatrix: spec.fullMatrix,
  };
  const defaults = catalogue.resolve(spec.method, spec.preset, {});
  for (const flag of METHODS.get(spec.method).flags) {
    const value = spec.hyper[flag.key];
    if (value !== defaults[flag.key]) setAt(out, fieldOf(flag.name), value);
  }
  const training = catalogue.training(spec.method, spec.hyper, spec.preset);
  if (spec.training.lr !== training.lr) setAt(out, 'hyperParameters.learningRate', spec.training.lr);
  if (spec.training.epochs !== training.epochs) setAt(out, 'hyperParameters.epochs', spec.training.epochs);
  if (spec.training.batchSize !== training.batchSize) setAt(out, 'hyperParameters.batchSize', spec.training.batchSize);
  for (const [k, field] of Object.entries(WORLD_FIELDS)) {
    const key = k as keyof WorldSize;
    if (spec.world[key] !== WORLD_SIZES[spec.preset][key]) setAt(out, `worldSize.${field}`, spec.world[key]);
  }
  if (spec.pretrainSteps !== undefined) out.pretrainSteps = spec.pretrainSteps;
  if (spec.evalBatch !== DEFAULT_EVAL_BATCH) out.evalBatchSize = spec.evalBatch;
  return ProtoRunSpec.fromPartial(out as Parameters<typeof ProtoRunSpec.fromPartial>[0]);
}

function fieldOf(flag: string): string {
  const field = METHOD_FLAG_FIELDS[flag];
  if (field === undefined) throw new Error(`method flag --${flag} has no RunSpec field (spec-wire.ts)`);
  return field;
}

function judgeToProto(judge: JudgeSpec): Partial<NonNullable<ProtoRunSpec['judge']>> {
  if (judge.backend === 'rubric') return { backend: JudgeBackend.JUDGE_BACKEND_RUBRIC };
  return {
    backend: JudgeBackend.JUDGE_BACKEND_OPENAI,
    model: judge.model,
    endpoint: judge.url,
    apiKeyEnv: judge.apiKeyEnv,
    ...(judge.sampling === 'coin'
      ? {
          sampling: {
            temperature: COIN_JUDGE_SAMPLING.temperature,
            topP: COIN_JUDGE_SAMPLING.top_p,
            maxTokens: COIN_JUDGE_SAMPLING.max_tokens,
            repetitionPenalty: COIN_JUDGE_SAMPLING.repetition_penalty,
          },
        }
      : {}),
    concurrency: judge.concurrency,
  };
}

/** The resolved spec a proto RunSpec says (defaults filled, every value checked). */
export function runSpecFromProto(proto: ProtoRunSpec, catalogue: MethodCatalogue = METHOD_CATALOGUE): RunSpec {
  return resolveRunSpec(runSpecInputFromProto(proto, catalogue), catalogue);
}

/** The proto RunSpec as `coin run`'s input (before defaults); refuses what a run cannot do. */
export function runSpecInputFromProto(
  proto: ProtoRunSpec,
  catalogue: MethodCatalogue = METHOD_CATALOGUE,
): RunSpecInput {
  if (proto.dataSource !== '' && proto.dataSource !== 'synth')
    throw unsupported(
      'data_source',
      `only "synth" (the built-in world) runs over the bus, got ${JSON.stringify(proto.dataSource)}`,
    );
  if (proto.evalSampleLimit !== 0) throw unsupported('eval_sample_limit', 'every test item is scored');
  const method = proto.method === Method.METHOD_UNSPECIFIED ? 'lora' : methodName(proto.method, catalogue);
  const preset = presetOf(proto);
  const methodFlags: Record<string, string> = {};
  const known = new Set(METHODS.get(method).flags.map((f) => f.name));
  for (const [flag, field] of Object.entries(METHOD_FLAG_FIELDS)) {
    const value = getAt(proto, field);
    if (value === undefined) continue;
    if (known.has(flag)) methodFlags[flag] = String(value);
    else if (![...known].some((k) => METHOD_FLAG_FIELDS[k] === field))
      throw unsupported(field, `method ${method} has no such setting`);
  }
  const legacyExperts = proto.hyperParameters?.moeloraExperts;
  if (legacyExperts !== undefined && method === 'moelora' && methodFlags['moe-experts'] === undefined)
    methodFlags['moe-experts'] = String(legacyExperts);
  const h = proto.hyperParameters;
  for (const field of [
    'projectorLearningRate',
    'gradientAccumulationSteps',
    'warmupRatio',
    'weightDecay',
    'maxSequenceLength',
    'maxNewTokens',
  ] as const)
    if (h?.[field] !== undefined) throw unsupported(`hyper_parameters.${field}`, 'not settable per run yet');
  const world: Partial<Record<keyof WorldSize, number>> = {};
  for (const [k, field] of Object.entries(WORLD_FIELDS)) {
    const v = proto.worldSize?.[field];
    if (v !== undefined) world[k as keyof WorldSize] = v;
  }
  return {
    preset,
    ...(proto.baseModel ? { base: proto.baseModel } : {}),
    method,
    methodFlags,
    order: proto.taskOrder.length > 0 ? proto.taskOrder.join(',') : 'default',
    variant: variantOf(proto.instructionVariant),
    fraction: proto.dataFraction === 0 ? 1 : proto.dataFraction,
    seed: proto.seed,
    fidelity: proto.fidelity === Fidelity.FIDELITY_STRICT ? 'strict' : 'coin',
    fullMatrix: proto.fullMatrix,
    judge: judgeFromProto(proto.judge),
    world,
    ...(proto.pretrainSteps !== undefined ? { pretrainSteps: proto.pretrainSteps } : {}),
    ...(proto.evalBatchSize !== undefined ? { evalBatch: proto.evalBatchSize } : {}),
    training: {
      ...(h?.epochs !== undefined ? { epochs: h.epochs } : {}),
      ...(h?.learningRate !== undefined ? { lr: h.learningRate } : {}),
      ...(h?.batchSize !== undefined ? { batchSize: h.batchSize } : {}),
    },
  };
}

function presetOf(proto: ProtoRunSpec): PresetName {
  const named = (Object.entries(PRESET_TO) as [PresetName, Preset][]).find(([, v]) => v === proto.preset)?.[0];
  if (named) return named;
  if (proto.preset !== Preset.PRESET_UNSPECIFIED)
    throw invalidArgument('RUN.BAD_FLAG', `RunSpec.preset ${proto.preset} is not a preset`);
  // The deprecated `model` field, read only when preset and base_model are unset.
  const legacy = /^coin-(micro|tiny|small)$/.exec(proto.model)?.[1] as PresetName | undefined;
  if (legacy && !proto.baseModel) return legacy;
  if (proto.model && !proto.baseModel)
    throw unsupported('model', 'a stored model key is not a base yet: set base_model (a base folder) and preset');
  return 'tiny';
}

function variantOf(v: InstructionVariant): string {
  if (v === InstructionVariant.INSTRUCTION_VARIANT_UNSPECIFIED) return 'original';
  const name = (Object.entries(VARIANT_TO) as [string, InstructionVariant][]).find(([, x]) => x === v)?.[0];
  if (name === undefined)
    throw invalidArgument('RUN.BAD_FLAG', `RunSpec.instruction_variant ${v} is not an instruction variant`);
  return name;
}

function judgeFromProto(judge: ProtoRunSpec['judge']): JudgeSpecInput {
  if (
    !judge ||
    judge.backend === JudgeBackend.JUDGE_BACKEND_UNSPECIFIED ||
    judge.backend === JudgeBackend.JUDGE_BACKEND_RUBRIC
  )
    return { backend: 'rubric' };
  if (judge.backend !== JudgeBackend.JUDGE_BACKEND_OPENAI)
    throw unsupported(
      'judge.backend',
      `${JudgeBackend[judge.backend] ?? judge.backend} is not available yet: use RUBRIC or OPENAI`,
    );
  return {
    backend: 'openai',
    url: judge.endpoint,
    model: judge.model,
    ...(judge.apiKeyEnv ? { apiKeyEnv: judge.apiKeyEnv } : {}),
    sampling: samplingOf(judge.sampling),
    ...(judge.concurrency ? { concurrency: judge.concurrency } : {}),
  };
}

/** Unset (or greedy) sampling is `greedy`; CoIN's exact settings are `coin`; anything else is refused. */
function samplingOf(s: JudgeSampling | undefined): 'greedy' | 'coin' {
  if (!s) return 'greedy';
  const set = (['temperature', 'topP', 'maxTokens', 'repetitionPenalty'] as const).filter((k) => s[k] !== undefined);
  const greedy = DEFAULT_JUDGE_SAMPLING;
  if (set.length === 0) return 'greedy';
  if (s.temperature === greedy.temperature && (s.maxTokens ?? greedy.max_tokens) === greedy.max_tokens)
    if (s.topP === undefined && s.repetitionPenalty === undefined) return 'greedy';
  const coin = COIN_JUDGE_SAMPLING;
  if (
    s.temperature === coin.temperature &&
    s.topP === coin.top_p &&
    s.maxTokens === coin.max_tokens &&
    s.repetitionPenalty === coin.repetition_penalty
  )
    return 'coin';
  throw unsupported(
    'judge.sampling',
    'only greedy (temperature 0) or CoIN’s sampling (0.7, top-p 0.8, 1.05, 20 tokens)',
  );
}
