import { adapterConfig, LINEAR_TARGETS, PRESETS } from '@coin/model';
import { carriedAdapterSetup, scaledRank } from './adapter-setup.js';
import { numberFlag } from './flags.js';
import { type ContinualMethod, methodFlagError, type PresetName } from './method.js';

export interface MoeLoraHyper {
  readonly rank: number;
  readonly alpha: number;
  readonly dropout: number;
  readonly experts: number;
  readonly [key: string]: number;
}

const EXPERTS = 8; // CoIN's released scripts

/** CoIN's E 8 / r 128 / α 256 scaled as for LoRA, the rank rounded up to a multiple of E. */
function moeDefaults(preset: PresetName): MoeLoraHyper {
  const rank = scaledRank(PRESETS[preset].decoder.dim, EXPERTS);
  return { rank, alpha: 2 * rank, dropout: 0.05, experts: EXPERTS };
}

/**
 * CoIN's MoELoRA (docs/protocol.md#moelora): E experts of rank r / E behind a dense token-level
 * router on every linear, carried through every stage like LoRA. The mixture depends on the input,
 * so it cannot be folded into the base weights: evaluated unmerged.
 */
export const moelora: ContinualMethod<MoeLoraHyper> = {
  name: 'moelora',
  summary: 'mixture of E LoRA experts with a token-level router (CoIN’s MoELoRA)',
  evaluation: 'unmerged',
  flags: [
    numberFlag<MoeLoraHyper>('moelora', 'moe-rank', 'rank', 'total rank r over all experts (default scaled)', {
      integer: true,
      min: 1,
    }),
    numberFlag<MoeLoraHyper>('moelora', 'moe-alpha', 'alpha', 'alpha; scaling alpha / r with the total r', {
      min: Number.MIN_VALUE,
    }),
    numberFlag<MoeLoraHyper>('moelora', 'moe-dropout', 'dropout', 'dropout, drawn per expert (CoIN 0.05)', {
      min: 0,
      below: 1,
    }),
    numberFlag<MoeLoraHyper>('moelora', 'moe-experts', 'experts', 'expert count E (CoIN 8)', {
      integer: true,
      min: 1,
    }),
  ],
  defaults: moeDefaults,
  validate: (h) => {
    if (h.rank % h.experts !== 0)
      throw methodFlagError('moelora', 'moe-rank', `rank ${h.rank} is not divisible by ${h.experts} experts`);
  },
  prepareStage: (ctx) =>
    carriedAdapterSetup(
      ctx,
      adapterConfig({
        kind: 'moelora',
        rank: ctx.hyper.rank,
        alpha: ctx.hyper.alpha,
        dropout: ctx.hyper.dropout,
        experts: ctx.hyper.experts,
        targets: LINEAR_TARGETS,
      }),
    ),
};
