/**
 * Dropout masks as a pure function of (per-step seed, element position, module): a counter-based
 * hash built from integer ONNX ops, so a resumed stage (a new ORT session) draws exactly the masks
 * an uninterrupted one would, and the masks of a step never depend on how many steps a session ran.
 *
 * The hash is murmur3's 32-bit finalizer (fmix32) evaluated in int64: every value stays in
 * [0, 2^32), shifts are Div by a power of two, and each multiplier is written as M − 2^32 (a
 * negative int64 of magnitude < 2^31), so x·(M − 2^32) never overflows int64 and its low 32 bits,
 * kept by BitwiseAnd, equal x·M mod 2^32. ORT's CPU provider implements Add, Mul, Div,
 * BitwiseAnd, BitwiseXor and GreaterOrEqual for int64 (and so does CUDA for all but the bitwise
 * pair, which fall back to CPU there).
 */
import { CoinError } from '@coin/core';
import type { GraphBuilder, Value } from '@coin/onnx';
import type { HostTensor } from '@coin/runtime';

/** The per-step seed input of training graphs whose adapter has dropout: int64 scalar, ≥ 0. */
export const DROPOUT_SEED_INPUT = 'dropout_seed';

/** Dropout in a training graph: the seed input and a base seed mixed into every module's key. */
export interface DropoutStream {
  readonly seed: Value; // int64 []
  readonly base: number;
}

const TWO32 = 2 ** 32;
const MASK32 = TWO32 - 1;
const FMIX_M1 = 0x85ebca6b;
const FMIX_M2 = 0xc2b2ae35;

/** The feed of the seed input for one step (or one micro-batch). */
export function dropoutSeedFeed(seed: number): Record<string, HostTensor> {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new CoinError('MODEL.BAD_DROPOUT_SEED', 'INVALID_ARGUMENT', `dropout seed ${seed} is not an integer ≥ 0`, {
      hint: 'derive it from the stage seed and the step, e.g. seed * 1_000_003 + step',
    });
  return { [DROPOUT_SEED_INPUT]: { dtype: 'int64', dims: [], data: new BigInt64Array([BigInt(seed)]) } };
}

/** Declares the seed input on a training graph. */
export function declareDropoutSeed(b: GraphBuilder, base: number): DropoutStream {
  return { seed: b.input(DROPOUT_SEED_INPUT, 'int64', []), base };
}

// ---- host side: the same arithmetic in uint32, for the module keys and for tests ----

/** murmur3 fmix32 on a uint32. `full = false` skips the last xor-shift (see `dropoutMask`). */
export function fmix32(x: number, full = true): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), FMIX_M1) >>> 0;
  h = Math.imul(h ^ (h >>> 13), FMIX_M2) >>> 0;
  return full ? (h ^ (h >>> 16)) >>> 0 : h;
}

/** A non-negative integer below 2^53 folded to 32 bits (low word xor high word). */
function fold32(n: number): number {
  return ((n % TWO32) ^ Math.floor(n / TWO32)) >>> 0;
}

/** FNV-1a of the module label mixed with the base seed: one constant per module and base. */
export function moduleKey(label: string, base: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return (h ^ fmix32(fold32(base))) >>> 0;
}

/** The step key of a module: fmix32(fmix32(seed) ^ moduleKey), on the host. */
export function stepKey(seed: number, label: string, base: number): number {
  return fmix32((fmix32(fold32(seed)) ^ moduleKey(label, base)) >>> 0);
}

/** The threshold below which a hashed element is dropped: round(p · 2^32). */
export function dropThreshold(p: number): number {
  return Math.round(p * TWO32);
}

// ---- graph side ----

function fmix32Graph(b: GraphBuilder, x: Value, full: boolean): Value {
  const k = (n: number) => b.scalar('int64', n);
  const xorShift = (v: Value, s: number) => b.op('BitwiseXor', [v, b.op('Div', [v, k(2 ** s)])]);
  const mulLow = (v: Value, m: number) => b.op('BitwiseAnd', [b.op('Mul', [v, k(m - TWO32)]), k(MASK32)]);
  const h = mulLow(xorShift(mulLow(xorShift(x, 16), FMIX_M1), 13), FMIX_M2);
  return full ? xorShift(h, 16) : h;
}

/**
 * The keep mask (bool, shaped like x) of inverted dropout at rate p for one module. Element i of
 * the flattened x is dropped when fmix32((i + key) mod 2^32) < round(p·2^32), with key =
 * fmix32(fmix32(seed) ^ moduleKey(label, base)). Different seeds and modules thus read disjoint
 * windows of one counter stream (they overlap only when two keys fall within numel(x) of each
 * other). The finalizer's last xor-shift only folds high bits into the low 16, which moves an
 * element across the threshold with probability 2^-16, so it is skipped (2 of 14 passes).
 */
export function dropoutKeepMask(b: GraphBuilder, stream: DropoutStream, x: Value, p: number, label: string): Value {
  const k = (n: number) => b.scalar('int64', n);
  const lo = b.op('BitwiseAnd', [stream.seed, k(MASK32)]);
  const hi = b.op('Div', [stream.seed, k(TWO32)]);
  const seed32 = b.op('BitwiseXor', [lo, hi]); // []
  const key = fmix32Graph(
    b,
    b.op('BitwiseXor', [fmix32Graph(b, seed32, true), k(moduleKey(label, stream.base))]),
    true,
  );
  const shape = x.shape;
  const static_ = shape !== null && shape.every((d) => typeof d === 'number');
  const count = static_ ? k((shape as number[]).reduce((a, d) => a * d, 1)) : b.op('Size', [x]);
  const dims = static_ ? b.i64(shape as number[]) : b.op('Shape', [x]);
  const position = b.op('Reshape', [b.op('Range', [k(0), count, k(1)]), dims]); // like x, int64
  const counter = b.op('BitwiseAnd', [b.op('Add', [position, key]), k(MASK32)]);
  return b.op('GreaterOrEqual', [fmix32Graph(b, counter, false), k(dropThreshold(p))]);
}

/** The same mask on the host (row-major over `count` elements), for tests. */
export function hostKeepMask(seed: number, label: string, base: number, count: number, p: number): Uint8Array {
  const key = stepKey(seed, label, base);
  const threshold = dropThreshold(p);
  const keep = new Uint8Array(count);
  for (let i = 0; i < count; i++) keep[i] = fmix32((i + key) >>> 0, false) >= threshold ? 1 : 0;
  return keep;
}
