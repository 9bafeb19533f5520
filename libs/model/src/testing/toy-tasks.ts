import type { HostTensor } from '@coin/runtime';
import type { Rng } from '@coin/core';

/**
 * Sequence tasks for checking that training works end to end: `n` random symbols, a separator,
 * then the symbols copied, reversed, or each replaced by its successor (cyclically). Loss only
 * on the answer half, so a perfect model reaches zero loss while the first half stays
 * unpredictable.
 */
export type ToyTask = 'copy' | 'reverse' | 'successor';

export const TOY_SEPARATOR = 1;
export const TOY_FIRST_SYMBOL = 2;

export function toyBatch(
  task: ToyTask,
  rng: Rng,
  batch: number,
  n: number,
  vocab: number,
): { input_ids: HostTensor; labels: HostTensor } {
  const seq = 2 * n + 1;
  const ids = new BigInt64Array(batch * seq);
  const labels = new BigInt64Array(batch * seq).fill(-100n);
  for (let s = 0; s < batch; s++) {
    const symbols = Array.from({ length: n }, () => TOY_FIRST_SYMBOL + rng.int(vocab - TOY_FIRST_SYMBOL));
    const span = vocab - TOY_FIRST_SYMBOL;
    const answer =
      task === 'copy'
        ? symbols
        : task === 'reverse'
          ? [...symbols].reverse()
          : symbols.map((x) => TOY_FIRST_SYMBOL + ((x - TOY_FIRST_SYMBOL + 1) % span));
    const row = [...symbols, TOY_SEPARATOR, ...answer];
    row.forEach((tok, t) => {
      ids[s * seq + t] = BigInt(tok);
      if (t > n) labels[s * seq + t] = BigInt(tok);
    });
  }
  return {
    input_ids: { dtype: 'int64', dims: [batch, seq], data: ids },
    labels: { dtype: 'int64', dims: [batch, seq], data: labels },
  };
}
