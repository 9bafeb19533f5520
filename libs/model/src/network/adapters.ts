import { CoinError } from '@coin/core';
import { LINEAR_NAMES, type LinearName } from '../internal-names.js';

/** The linear layers of a LLaMA block that an adapter may target (PEFT's target_modules). */
export const LINEAR_TARGETS = LINEAR_NAMES;
export type LinearTarget = LinearName;

/** How the model is tuned (docs/protocol.md#what-is-trained, docs/protocol.md#moelora). */
export interface AdapterConfig {
  /** full: every decoder weight trains. lora / moelora: only adapters. Either way the projector too if trainProjector; never the vision tower. */
  readonly kind: 'lora' | 'moelora' | 'full';
  readonly rank: number; // total rank r (MoELoRA splits it into E experts of r/E)
  readonly alpha: number; // scaling = alpha / rank (total rank, also for MoELoRA)
  readonly dropout: number; // on the adapter input, drawn per expert for MoELoRA
  readonly targets: readonly LinearTarget[];
  readonly experts: number; // MoELoRA only
  /** Whether the vision→language projector trains (CoIN: yes). */
  readonly trainProjector: boolean;
  /**
   * `full` only: the vision tower trains too. Only the base model's pretraining sets it (our tower
   * starts from random weights, where LLaVA's CLIP arrives pretrained); every CoIN stage keeps it frozen.
   */
  readonly trainVision?: boolean;
}

/** CoIN's released setting scaled to a model of width `dim`: r 128, α 256 on every linear. */
export const COIN_LORA: AdapterConfig = {
  kind: 'lora',
  rank: 128,
  alpha: 256,
  dropout: 0.05,
  targets: LINEAR_TARGETS,
  experts: 1,
  trainProjector: true,
};

export function adapterConfig(partial: Partial<AdapterConfig> & Pick<AdapterConfig, 'kind'>): AdapterConfig {
  const c: AdapterConfig = {
    rank: 8,
    alpha: 16,
    dropout: 0,
    targets: ['q', 'v'],
    experts: partial.kind === 'moelora' ? 4 : 1,
    trainProjector: true,
    ...partial,
  };
  validateAdapter(c);
  return c;
}

export function validateAdapter(c: AdapterConfig): void {
  const bad = (message: string, hint?: string) =>
    new CoinError('ADAPTER.INVALID', 'INVALID_ARGUMENT', message, { hint });
  if (c.trainVision && c.kind !== 'full')
    throw bad(`only full tuning can train the vision tower, got kind ${c.kind}`, 'trainVision is for pretraining');
  if (c.kind === 'full') return;
  if (!Number.isInteger(c.rank) || c.rank < 1) throw bad(`adapter rank must be a positive integer, got ${c.rank}`);
  if (typeof c.alpha !== 'number' || !Number.isFinite(c.alpha) || c.alpha <= 0) {
    throw bad(
      `adapter alpha must be a finite positive number, got ${typeof c.alpha === 'number' ? String(c.alpha) : JSON.stringify(c.alpha)}`,
      'The adapter output is scaled by alpha / rank (CoIN: alpha 256 at rank 128).',
    );
  }
  if (!(c.dropout >= 0 && c.dropout < 1)) throw bad(`adapter dropout must be in [0, 1), got ${c.dropout}`);
  for (const t of c.targets)
    if (!LINEAR_TARGETS.includes(t))
      throw bad(`unknown adapter target ${t}`, `targets are ${LINEAR_TARGETS.join(', ')}`);
  if (c.kind === 'lora' && c.experts !== 1)
    throw bad(`plain LoRA has one expert, got experts ${c.experts}`, "Use kind 'moelora' for a mixture of experts.");
  if (c.kind === 'moelora') {
    if (!Number.isInteger(c.experts) || c.experts < 1)
      throw bad(`MoELoRA needs a positive expert count, got ${c.experts}`);
    if (c.rank % c.experts !== 0)
      throw bad(
        `MoELoRA rank ${c.rank} is not divisible by ${c.experts} experts`,
        'CoIN asserts r % E == 0 (r_e = r / E)',
      );
  }
}

export function adapterScaling(c: AdapterConfig): number {
  return c.alpha / c.rank;
}
