/**
 * A seeded string hash to a uniform number in [0, 1): used to pick 10Type phrasings and volume
 * subsets by item id, so the choice does not depend on file order or on how many items precede it.
 * cyrb53-style mixing (two 32-bit lanes, 53 bits out); not cryptographic, just well spread.
 */
export function seededHash53(seed: number, text: string): number {
  let h1 = 0xdeadbeef ^ (seed | 0);
  let h2 = 0x41c6ce57 ^ Math.floor(seed / 2 ** 32);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

export function seededUnit(seed: number, text: string): number {
  return seededHash53(seed, text) / 2 ** 53;
}
