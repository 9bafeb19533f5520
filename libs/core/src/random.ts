/**
 * The project's seeded PRNG (mulberry32: a 32-bit counter through a mixing function): reproducible
 * initialisation, dropout seeds and test data. Never Math.random where results must repeat.
 */
export class Rng {
  private state: number;

  /** @param mixSeed false uses `seed` as the raw mulberry32 state (reproduces plain mulberry32). */
  constructor(seed: number, mixSeed = true) {
    this.state = mixSeed ? (seed >>> 0) ^ 0x9e3779b9 : seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A 31-bit integer, e.g. to seed a graph's random op. */
  int31(): number {
    return Math.floor(this.next() * 0x7fffffff);
  }

  /** An independent stream for a named purpose (same seed + same label → same stream). */
  fork(label: string): Rng {
    let h = this.state;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
    return new Rng(h);
  }
}

/** Plain mulberry32 as a function, for code that wants `() => number`. */
export function seededRandom(seed: number): () => number {
  const rng = new Rng(seed, false);
  return () => rng.next();
}

/** `n` uniform values in [lo, hi). */
export function uniformValues(rand: () => number, n: number, lo = -1, hi = 1): number[] {
  return Array.from({ length: n }, () => lo + (hi - lo) * rand());
}
