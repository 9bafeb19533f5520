/**
 * Dropout masks as a pure function of (per-step seed, element position, module): a counter-based
 * integer hash built from standard ONNX ops, so a resumed stage (a new ORT session) draws exactly
 * the masks an uninterrupted one would, and a step's masks never depend on what a session ran before.
 *
 * Per element the hash runs in int32, the cheapest integer type of ORT's CPU provider (Add and Mul
 * vectorise at ~0.15 ns per element, where int64 Div alone costs 2.5 ns, which made an int64
 * murmur3 finalizer twice as slow as ORT's RandomUniformLike): the counter (position + key), then
 * three rounds of xor-shift (h ^ h / 2^s, the shift as Div) and multiply, then a signed compare
 * against a threshold. Add and Mul wrap modulo 2^32 (two's complement, as ORT's CPU and CUDA
 * kernels compute them) and Div truncates toward zero; the host reference below repeats this
 * arithmetic with Math.imul, `| 0` and Math.trunc, and the tests hold the graph to it bit for bit.
 * The per-step key is one scalar, computed exactly in int64 (murmur3's fmix32 of the folded seed
 * xor the module's constant) and shifted into int32's range.
 */
import { CoinError } from '@coin/core';
import { attr, type GraphBuilder, type Value } from '@coin/onnx';
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

function checkSeed(seed: number, what: string): void {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new CoinError('MODEL.BAD_DROPOUT_SEED', 'INVALID_ARGUMENT', `${what} ${seed} is not an integer ≥ 0`, {
      hint: 'seeds are safe integers ≥ 0; derive a step seed from the stage seed, the step and the micro-batch',
    });
}

/** The feed of the seed input for one step (or one micro-batch: each needs its own seed). */
export function dropoutSeedFeed(seed: number): Record<string, HostTensor> {
  checkSeed(seed, 'dropout seed');
  return { [DROPOUT_SEED_INPUT]: { dtype: 'int64', dims: [], data: new BigInt64Array([BigInt(seed)]) } };
}

/** Declares the seed input on a training graph. */
export function declareDropoutSeed(b: GraphBuilder, base: number): DropoutStream {
  checkSeed(base, 'base dropout seed');
  return { seed: b.input(DROPOUT_SEED_INPUT, 'int64', []), base };
}

// ---- host side: the same arithmetic, for the module keys and for tests ----

/** murmur3 fmix32 on a uint32. */
export function fmix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), FMIX_M1) >>> 0;
  h = Math.imul(h ^ (h >>> 13), FMIX_M2) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
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

/** The int32 step key of a module: fmix32(fmix32(seed) ^ moduleKey) − 2^31. */
export function stepKey(seed: number, label: string, base: number): number {
  return fmix32((fmix32(fold32(seed)) ^ moduleKey(label, base)) >>> 0) - 2 ** 31;
}

/** Elements whose int32 hash falls below −2^31 + round(p · 2^32) are dropped. */
export function dropThreshold(p: number): number {
  return -(2 ** 31) + Math.round(p * TWO32);
}

// Xor-shift distances and odd multipliers (murmur3's two and Wang's) of the three rounds. Rounds
// that add instead of xor the shifted value stay nearly linear: masks of neighbouring seeds then
// disagree on up to 0.73 instead of 0.5 of the elements at p = 0.5.
const ROUNDS = [
  [15, 0x85ebca6b | 0],
  [16, 0xc2b2ae35 | 0],
  [13, 0x27d4eb2d | 0],
] as const;

/** The per-element hash of counter c (int32), on the host. */
export function elementHash(c: number): number {
  let h = c | 0;
  for (const [shift, mul] of ROUNDS) h = Math.imul(h ^ Math.trunc(h / 2 ** shift), mul);
  return h;
}

/** The keep mask (row-major over `count` elements) that the graph draws, on the host. */
export function hostKeepMask(seed: number, label: string, base: number, count: number, p: number): Uint8Array {
  const key = stepKey(seed, label, base);
  const threshold = dropThreshold(p);
  const keep = new Uint8Array(count);
  for (let i = 0; i < count; i++) keep[i] = elementHash((i + key) | 0) >= threshold ? 1 : 0;
  return keep;
}

// ---- graph side ----

/** fmix32 in int64 ops on a value in [0, 2^32): exact, used on scalars only. */
function fmix32Graph(b: GraphBuilder, x: Value): Value {
  const k = (n: number) => b.scalar('int64', n);
  const xorShift = (v: Value, s: number) => b.op('BitwiseXor', [v, b.op('Div', [v, k(2 ** s)])]);
  // M − 2^32 has magnitude < 2^31, so x·(M − 2^32) fits int64 and its low 32 bits are x·M mod 2^32.
  const mulLow = (v: Value, m: number) => b.op('BitwiseAnd', [b.op('Mul', [v, k(m - TWO32)]), k(MASK32)]);
  return xorShift(mulLow(xorShift(mulLow(xorShift(x, 16), FMIX_M1), 13), FMIX_M2), 16);
}

/** The module's int32 key for this step (a scalar): stepKey() in graph ops. */
function stepKeyGraph(b: GraphBuilder, stream: DropoutStream, label: string): Value {
  const k = (n: number) => b.scalar('int64', n);
  const lo = b.op('BitwiseAnd', [stream.seed, k(MASK32)]);
  const hi = b.op('Div', [stream.seed, k(TWO32)]);
  const seed32 = b.op('BitwiseXor', [lo, hi]); // []
  const mixed = b.op('BitwiseXor', [fmix32Graph(b, seed32), k(moduleKey(label, stream.base))]);
  const key = b.op('Sub', [fmix32Graph(b, mixed), k(2 ** 31)]); // [−2^31, 2^31)
  return b.op('Cast', [key], { to: attr.int(6) }); // int32
}

/**
 * The keep mask (bool, shaped like x) of dropout at rate p for one module: element i of the
 * flattened x is kept when elementHash(i + key) ≥ dropThreshold(p). Different seeds and modules
 * read disjoint windows of one counter stream (they overlap only when two keys fall within
 * numel(x) of each other). The positions are constant, so ORT folds them at load.
 */
export function dropoutKeepMask(b: GraphBuilder, stream: DropoutStream, x: Value, p: number, label: string): Value {
  const k = (n: number) => b.scalar('int32', n);
  const shape = x.shape;
  const static_ = shape !== null && shape.every((d) => typeof d === 'number');
  const count = static_
    ? k((shape as number[]).reduce((a, d) => a * d, 1))
    : b.op('Cast', [b.op('Size', [x])], { to: attr.int(6) });
  const dims = static_ ? b.i64(shape as number[]) : b.op('Shape', [x]);
  const position = b.op('Reshape', [b.op('Range', [k(0), count, k(1)]), dims]); // like x, int32
  let h = b.op('Add', [position, stepKeyGraph(b, stream, label)]); // like x, int32
  for (const [shift, mul] of ROUNDS)
    h = b.op('Mul', [b.op('BitwiseXor', [h, b.op('Div', [h, k(2 ** shift)])]), k(mul)]);
  return b.op('GreaterOrEqual', [h, k(dropThreshold(p))]);
}
