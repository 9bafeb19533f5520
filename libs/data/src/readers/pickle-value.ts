/**
 * What a plain-data pickle decodes to (pickle.ts reads it, pickle-globals.ts rebuilds sets and
 * bytes into it): None → null, bool → boolean, int → number (bigint past 2^53), float → number,
 * str → string, bytes/bytearray → Uint8Array, list/tuple → array, dict → plain object (int keys
 * become strings), set/frozenset → Set.
 */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | Set<PickleValue>
  | { [key: string]: PickleValue };
