import { type TrainRecord } from '@coin/data';

const PY_WHITESPACE_RUN = /[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/**
 * The "length" LLaVA's group_by_modality_length sampler sorts by (docs/protocol.md#prompt-format-and-loss-masking): the number of
 * whitespace-separated words over all turns (Python `len(value.split())`), negative for text-only
 * samples so that batches never mix modalities.
 */
export function modalityLength(record: TrainRecord): number {
  let words = 0;
  for (const turn of record.conversations) {
    words += turn.value.split(PY_WHITESPACE_RUN).filter((w) => w !== '').length;
  }
  return record.image !== undefined ? words : -words;
}
