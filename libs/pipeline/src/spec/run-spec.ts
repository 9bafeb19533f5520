/**
 * The run spec (docs/protocol.md#coin-run): what one `coin run` computes. `resolveRunSpec` fills in
 * every default and checks every value, so a bad flag is a usage error before anything runs, and
 * the resolved spec is what unit keys hash and results.json records.
 */
import { canonicalJson, invalidArgument, sha256Hex } from '@coin/core';
import { type CoinTask, INSTRUCTION_VARIANTS, type InstructionVariant, resolveTaskOrder } from '@coin/data';
import type { Fidelity, MethodHyper, PresetName, TrainingHyper } from '@coin/training';
import { type JudgeSpec, resolveJudgeSpec, type JudgeSpecInput } from './judge-spec.js';
import { worldOptions, type WorldSize } from './world.js';

export const PRESETS = ['micro', 'tiny', 'small'] as const;

/** Answers the evaluator generates per batch unless the spec says otherwise. */
export const DEFAULT_EVAL_BATCH = 16;

export interface RunSpecInput {
  readonly preset?: string;
  /** A base model folder instead of the preset's pretrained base. */
  readonly base?: string;
  readonly method?: string;
  /** The method's own flags as given (`--experts 4` → { experts: '4' }). */
  readonly methodFlags?: Readonly<Record<string, string>>;
  /** `default`, `alphabetical` or a comma-separated task list. */
  readonly order?: string;
  readonly variant?: string;
  readonly fraction?: number;
  readonly seed?: number;
  readonly fidelity?: string;
  readonly fullMatrix?: boolean;
  readonly judge?: JudgeSpecInput;
  readonly world?: Partial<WorldSize>;
  /** Pretraining steps of the preset's base (default: the preset's). */
  readonly pretrainSteps?: number;
  /** Generation batch of the evaluator. */
  readonly evalBatch?: number;
  /** Overrides of the training hyper-parameters (epochs per stage, peak learning rate, micro-batch). */
  readonly training?: Partial<Pick<TrainingHyper, 'epochs' | 'lr' | 'batchSize'>>;
}

export interface RunSpec {
  readonly preset: PresetName;
  readonly base?: string;
  readonly method: string;
  readonly hyper: MethodHyper;
  readonly training: TrainingHyper;
  readonly tasks: readonly CoinTask[];
  readonly variant: InstructionVariant;
  readonly fraction: number;
  readonly seed: number;
  readonly fidelity: Fidelity;
  readonly fullMatrix: boolean;
  readonly judge: JudgeSpec;
  readonly world: WorldSize;
  readonly pretrainSteps?: number;
  readonly evalBatch: number;
}

/** What resolving needs from the training lib (its method registry and defaults). */
export interface MethodCatalogue {
  readonly names: readonly string[];
  resolve(method: string, preset: PresetName, raw: Readonly<Record<string, string>>): MethodHyper;
  training(method: string, hyper: MethodHyper, preset: PresetName): TrainingHyper;
}

const bad = (message: string, hint?: string) => invalidArgument('RUN.BAD_FLAG', message, hint);

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw bad(`${flag} ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  return value as T;
}

function intIn(flag: string, value: number, lo: number, hi: number): number {
  if (!Number.isInteger(value) || value < lo || value > hi)
    throw bad(`${flag} must be a whole number from ${lo} to ${hi}, got ${value}`);
  return value;
}

export function resolveRunSpec(input: RunSpecInput, methods: MethodCatalogue): RunSpec {
  const preset = oneOf('--preset', input.preset ?? 'tiny', PRESETS);
  const method = oneOf('--method', input.method ?? 'lora', methods.names);
  const hyper = methods.resolve(method, preset, input.methodFlags ?? {});
  const fraction = input.fraction ?? 1;
  if (!(fraction > 0 && fraction <= 1)) throw bad(`--fraction must be in (0, 1], got ${fraction}`);
  return {
    preset,
    ...(input.base !== undefined ? { base: input.base } : {}),
    method,
    hyper,
    training: trainingWith(methods.training(method, hyper, preset), input.training ?? {}),
    tasks: resolveTaskOrder(input.order ?? 'default'),
    variant: oneOf('--variant', input.variant ?? 'original', INSTRUCTION_VARIANTS),
    fraction,
    seed: intIn('--seed', input.seed ?? 0, 0, 0xffffffff),
    fidelity: oneOf('--fidelity', input.fidelity ?? 'coin', ['coin', 'strict'] as const),
    fullMatrix: input.fullMatrix ?? false,
    judge: resolveJudgeSpec(input.judge ?? {}),
    world: worldOptions(preset, input.world),
    ...(input.pretrainSteps !== undefined
      ? { pretrainSteps: intIn('--pretrain-steps', input.pretrainSteps, 1, 1_000_000) }
      : {}),
    evalBatch: intIn('--eval-batch', input.evalBatch ?? DEFAULT_EVAL_BATCH, 1, 256),
  };
}

/** The method's training defaults with the spec's overrides; the projector keeps its ratio to lr. */
function trainingWith(defaults: TrainingHyper, o: NonNullable<RunSpecInput['training']>): TrainingHyper {
  if (o.lr !== undefined && !(o.lr > 0 && o.lr < 1)) throw bad(`--lr must be in (0, 1), got ${o.lr}`);
  const epochs = o.epochs === undefined ? defaults.epochs : intIn('--epochs', o.epochs, 1, 1000);
  const batchSize = o.batchSize === undefined ? defaults.batchSize : intIn('--batch-size', o.batchSize, 1, 4096);
  const lr = o.lr ?? defaults.lr;
  return { ...defaults, epochs, batchSize, lr, projectorLr: defaults.projectorLr * (lr / defaults.lr) };
}

/** A readable, deterministic run id: method, preset, seed and a hash of the whole spec. */
export function runId(spec: RunSpec): string {
  const hash = sha256Hex(canonicalJson(spec)).slice(0, 10);
  return `${spec.method}-${spec.preset}-s${spec.seed}-${hash}`;
}
