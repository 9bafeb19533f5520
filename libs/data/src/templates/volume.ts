import { CoinError } from '@coin/core';
import { seededHash53 } from './seeded-hash.js';

/**
 * The instruction-volume experiment (docs/protocol.md#instruction-volume): keep a fraction of each task's training
 * instructions. The sampling rule CoIN used is unknown; ours keeps exactly round(f·N) items (at
 * least one when N > 0), those with the smallest seeded hash of their id. So the choice is
 * deterministic, independent of file order, and nested: the 0.2 subset contains the 0.1 subset.
 */
export const VOLUME_FRACTIONS = [0.1, 0.2, 0.4, 0.6, 0.8, 1] as const;

export function parseFraction(text: string | number): number {
  const f = typeof text === 'number' ? text : Number(text);
  if (!Number.isFinite(f) || f <= 0 || f > 1) {
    throw new CoinError(
      'PREP.BAD_FRACTION',
      'INVALID_ARGUMENT',
      `volume fraction must be a number in (0, 1], got ${JSON.stringify(text)}`,
      { hint: `CoIN's experiment used ${VOLUME_FRACTIONS.join(', ')}` },
    );
  }
  return f;
}

export function keptCount(total: number, fraction: number): number {
  if (total === 0) return 0;
  return Math.min(total, Math.max(1, Math.round(total * fraction)));
}

/** A test `keep(id)` selecting round(f·N) of `ids` (ids must be unique). */
export function selectVolume(
  ids: ReadonlyArray<string | number>,
  fraction: number,
  seed: number,
): (id: string | number) => boolean {
  parseFraction(fraction);
  if (fraction === 1) return () => true;
  const keep = keptCount(ids.length, fraction);
  const ranked = ids.map((id) => ({ key: String(id), hash: seededHash53(seed, String(id)) }));
  ranked.sort((a, b) => a.hash - b.hash || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const kept = new Set(ranked.slice(0, keep).map((r) => r.key));
  return (id) => kept.has(String(id));
}
