import { CoinError } from '@coin/core';

/** A learning rate for every group (a number), or one per group by name. */
export type LearningRates = number | Readonly<Record<string, number>>;

function checkRate(group: string, rate: number): number {
  if (!Number.isFinite(rate) || rate < 0)
    throw new CoinError('TRAIN.BAD_RATE', 'INVALID_ARGUMENT', `learning rate of group ${group} is ${rate}`, {
      hint: 'rates are finite and ≥ 0 (0 freezes a group for the step)',
    });
  return rate;
}

/**
 * The graph's `lr` input: one float per group in `groups` order. A record must name every group
 * and nothing else: a missing group would silently train at some default rate, an unknown one is
 * a typo.
 */
export function rateVector(groups: readonly string[], rates: LearningRates): Float32Array {
  if (typeof rates === 'number') return new Float32Array(groups.length).fill(checkRate('*', rates));
  const unknown = Object.keys(rates).filter((g) => !groups.includes(g));
  if (unknown.length > 0)
    throw new CoinError(
      'TRAIN.UNKNOWN_GROUP',
      'INVALID_ARGUMENT',
      `no trainable parameter is in learning-rate group ${unknown.join(', ')}`,
      { hint: `the groups are: ${groups.join(', ')}` },
    );
  const missing = groups.filter((g) => !Object.hasOwn(rates, g));
  if (missing.length > 0)
    throw new CoinError(
      'TRAIN.MISSING_GROUP_RATE',
      'INVALID_ARGUMENT',
      `no learning rate given for group ${missing.join(', ')}`,
      { hint: `give a rate for every group (${groups.join(', ')}), or one number for all` },
    );
  return Float32Array.from(groups, (g) => checkRate(g, rates[g]));
}
