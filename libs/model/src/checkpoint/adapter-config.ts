import { CoinError, isObject } from '@coin/core';
import { linearFromTargetModule, peftTargetModule } from './hf-names.js';
import { LINEAR_NAMES, type LinearName } from '../internal-names.js';

/** What an adapter checkpoint needs to know about its adapter (a subset of the model's AdapterConfig). */
export interface AdapterSpec {
  readonly kind: 'lora' | 'moelora';
  /** Total rank r; MoELoRA experts have rank r / experts. */
  readonly rank: number;
  readonly alpha: number;
  readonly dropout: number;
  readonly targets: readonly LinearName[];
  /** MoELoRA expert count E (1 for LoRA). */
  readonly experts: number;
}

/** CoIN's MoELoRA config defaults (docs/protocol.md#moelora): task_embedding_dim is accepted but unused. */
export const MOE_TASK_EMBEDDING_DIM = 64;

/**
 * adapter_config.json as PEFT 0.4 writes it for LoRA (peft_type LORA, task_type CAUSAL_LM), or as
 * CoIN's MoELoRA config does (peft_type MOE_LORA_CoIN, task_type CAUSAL_LM_CoIN, plus expert_num
 * and task_embedding_dim). target_modules is sorted (LLaVA builds it from a set).
 */
export function peftAdapterConfig(spec: AdapterSpec, baseModel = ''): Record<string, unknown> {
  validateAdapterSpec(spec, 'adapter');
  const config: Record<string, unknown> = {
    base_model_name_or_path: baseModel,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    layers_pattern: null,
    layers_to_transform: null,
    lora_alpha: spec.alpha,
    lora_dropout: spec.dropout,
    modules_to_save: null,
    peft_type: spec.kind === 'lora' ? 'LORA' : 'MOE_LORA_CoIN',
    r: spec.rank,
    revision: null,
    target_modules: spec.targets.map(peftTargetModule).sort(),
    task_type: spec.kind === 'lora' ? 'CAUSAL_LM' : 'CAUSAL_LM_CoIN',
  };
  if (spec.kind === 'moelora') {
    config.expert_num = spec.experts;
    config.task_embedding_dim = MOE_TASK_EMBEDDING_DIM;
  }
  return config;
}

/** Read an adapter_config.json (ours or PEFT's) into an AdapterSpec; CoinError naming the bad field. */
export function parsePeftAdapterConfig(json: unknown, source = 'adapter_config.json'): AdapterSpec {
  const bad = (field: string, message: string, hint?: string): CoinError =>
    new CoinError('CHECKPOINT.BAD_ADAPTER_CONFIG', 'INVALID_ARGUMENT', `${source}: ${field} ${message}`, {
      hint,
      details: { source, field },
    });
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('(root)', 'must be a JSON object');
  const c = json as Record<string, unknown>;
  const kind = c.peft_type === 'LORA' ? 'lora' : c.peft_type === 'MOE_LORA_CoIN' ? 'moelora' : undefined;
  if (kind === undefined)
    throw bad('peft_type', `is ${JSON.stringify(c.peft_type)}`, 'Supported: "LORA" and "MOE_LORA_CoIN".');
  if (c.bias !== undefined && c.bias !== 'none')
    throw bad('bias', `is ${JSON.stringify(c.bias)}; only "none" is supported (CoIN uses none)`);
  if (c.fan_in_fan_out === true) throw bad('fan_in_fan_out', 'is true; LLaMA linears need false');
  refuseNewerPeftOptions(c, bad);
  const modules = c.target_modules;
  if (!Array.isArray(modules) || modules.length === 0) {
    throw bad(
      'target_modules',
      'must be a non-empty list of module names',
      `Names: ${LINEAR_NAMES.map(peftTargetModule).join(', ')}.`,
    );
  }
  const targets = modules.map((m) => {
    const linear = typeof m === 'string' ? linearFromTargetModule(m) : undefined;
    if (linear === undefined)
      throw bad(
        'target_modules',
        `has unknown module ${JSON.stringify(m)}`,
        `Known: ${LINEAR_NAMES.map(peftTargetModule).join(', ')}.`,
      );
    return linear;
  });
  const spec: AdapterSpec = {
    kind,
    rank: c.r as number,
    alpha: c.lora_alpha as number,
    dropout: (c.lora_dropout ?? 0) as number,
    targets: LINEAR_NAMES.filter((t) => targets.includes(t)),
    experts: kind === 'moelora' ? (c.expert_num as number) : 1,
  };
  validateAdapterSpec(spec, source);
  return spec;
}

/**
 * Options of PEFT after 0.4 that change what the adapter computes. CoIN's adapters are PEFT 0.4
 * LoRA (scaling lora_alpha / r, one r and lora_alpha for every module), so these are accepted
 * only when off (false, {} or absent) rather than silently ignored.
 */
const NEWER_PEFT_OPTIONS: ReadonlyArray<{ field: string; kind: 'flag' | 'pattern'; effect: string }> = [
  { field: 'use_rslora', kind: 'flag', effect: 'rank-stabilised scaling lora_alpha / sqrt(r)' },
  { field: 'use_dora', kind: 'flag', effect: 'weight-decomposed (DoRA) adapters' },
  { field: 'rank_pattern', kind: 'pattern', effect: 'a different r per module' },
  { field: 'alpha_pattern', kind: 'pattern', effect: 'a different lora_alpha per module' },
];

function refuseNewerPeftOptions(
  c: Readonly<Record<string, unknown>>,
  bad: (field: string, message: string, hint?: string) => CoinError,
): void {
  for (const { field, kind, effect } of NEWER_PEFT_OPTIONS) {
    const value = c[field];
    const off = value === undefined || value === null || (kind === 'flag' ? value === false : isEmptyObject(value));
    if (!off) {
      throw bad(
        field,
        `is ${JSON.stringify(value)} (${effect}); CoIN's PEFT 0.4 adapters do not use it, so this adapter cannot be loaded`,
        `Use an adapter trained with ${field} ${kind === 'flag' ? 'false' : 'empty'} (or absent).`,
      );
    }
  }
}

function isEmptyObject(value: unknown): boolean {
  return isObject(value) && Object.keys(value).length === 0;
}

function validateAdapterSpec(spec: AdapterSpec, source: string): void {
  const bad = (field: string, message: string): CoinError =>
    new CoinError('CHECKPOINT.BAD_ADAPTER_CONFIG', 'INVALID_ARGUMENT', `${source}: ${field} ${message}`, {
      details: { source, field },
    });
  if (!Number.isInteger(spec.rank) || spec.rank < 1)
    throw bad('r', `must be a positive integer, got ${JSON.stringify(spec.rank)}`);
  if (typeof spec.alpha !== 'number' || !Number.isFinite(spec.alpha) || spec.alpha <= 0)
    throw bad(
      'lora_alpha',
      `must be a finite positive number, got ${typeof spec.alpha === 'number' ? String(spec.alpha) : JSON.stringify(spec.alpha)}`,
    );
  if (typeof spec.dropout !== 'number' || !(spec.dropout >= 0 && spec.dropout < 1))
    throw bad('lora_dropout', `must be in [0, 1), got ${JSON.stringify(spec.dropout)}`);
  if (!Number.isInteger(spec.experts) || spec.experts < 1)
    throw bad('expert_num', `must be a positive integer, got ${JSON.stringify(spec.experts)}`);
  if (spec.kind === 'lora' && spec.experts !== 1) throw bad('expert_num', 'must be 1 for plain LoRA');
  if (spec.rank % spec.experts !== 0)
    throw bad('r', `${spec.rank} is not divisible by expert_num ${spec.experts} (CoIN asserts r % E == 0)`);
}
