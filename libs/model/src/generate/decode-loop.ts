import type { RotaryTables } from '@coin/autodiff';
import { attr, GraphBuilder, tensor, type Value } from '@coin/onnx';
import { type DecoderConfig, headDim } from '../network/config.js';
import type { LayerAttend } from '../network/decoder.js';
import type { ForwardContext } from '../network/linear.js';
import { generationStack } from './generation-stack.js';
import {
  attendedBias,
  eosConstant,
  finishStep,
  firstState,
  promptKeyBias,
  runDecodeLoop,
  stepStart,
} from './decode-step.js';
import { type HalfTables, stackRope } from './prefill.js';

export interface DecodeLoopInputs {
  /** Trip count: how many more tokens to generate after the first. int64 scalar. */
  readonly steps: Value;
  readonly firstToken: Value; // [B] int64
  readonly firstPositions: Value; // [B] int64, position of firstToken
  readonly mask: Value; // [B, P] int64 key mask of the prompt
  readonly cache: ReadonlyArray<{ k: Value; v: Value }>; // per layer [B, H, P, D], from the prefill
  readonly tables: RotaryTables;
  /** Rotary by ORT's com.microsoft RotaryEmbedding kernel over these tables (CPU); absent = graph ops. */
  readonly kernelTables?: HalfTables;
}

/**
 * Greedy decoding as two ONNX Loops inside the one graph: a whole generation is a single `run`,
 * with no per-token host round trip. Each step attends with one softmax over two parts of the
 * cache: a prefix the Loop only reads (the body takes it from the outer scope, never copied) and
 * the tokens generated in this Loop, which are loop-carried and grow by one position per step
 * (ORT copies a carried tensor to grow it, so a step's copy covers only them). The first Loop
 * runs ⌈steps / 2⌉ steps over the prompt's cache; then its generated part joins the prefix once
 * and the second Loop runs the rest, so the per-step copies stay half as long as with one Loop
 * (three Loops measured no better than two: the longer prefix copies eat the rest). The join
 * copies the prefix even when the first Loop ran no steps. Decoding stops once every sample has
 * produced the end token (the second Loop then does not run); finished samples keep emitting it.
 * Returns the tokens after the first, [steps', B].
 */
export function decodeLoop(
  ctx: ForwardContext,
  cfg: DecoderConfig,
  batch: number,
  eosId: number,
  x: DecodeLoopInputs,
): Value {
  const b = ctx.b;
  const H = cfg.heads;
  const D = headDim(cfg);
  const eos = eosConstant(b, eosId);
  const promptPrefix = cachePrefix(
    b,
    'P',
    promptKeyBias(b, x.mask),
    x.cache.map((c) => c.k),
    x.cache.map((c) => c.v),
  );
  const empty = b.op('ConstantOfShape', [b.i64([batch, H, 0, D])], { value: attr.tensor(tensor('float32', [1], [0])) }); // [B, H, 0, D]
  const noneGenerated = Array.from({ length: 2 * cfg.layers }, () => empty);
  const firstSteps = b.op('Div', [b.op('Add', [x.steps, b.scalar('int64', 1)]), b.scalar('int64', 2)]); // ⌈steps / 2⌉
  const first = runDecodeLoop(
    b,
    batch,
    firstSteps,
    firstState(b, eos, { token: x.firstToken, positions: x.firstPositions }),
    noneGenerated,
    { dtype: 'float32', shape: [batch, H, 'G_end', D] },
    decodeStepBody(ctx, cfg, batch, eos, x, promptPrefix, ''),
  );
  const generated = b.op('Shape', [first.caches[0]], { start: attr.int(2), end: attr.int(3) }); // [1]
  const joined = (past: Value, now: Value) =>
    b.op('Concat', [past, now], { axis: attr.int(2) }, { types: [{ dtype: 'float32', shape: [batch, H, 'P2', D] }] });
  const longerPrefix = cachePrefix(
    b,
    'P2',
    b.op(
      'Concat',
      [promptPrefix.bias, attendedBias(b, batch, generated)],
      { axis: attr.int(-1) },
      { types: [{ dtype: 'float32', shape: [batch, 1, 1, 'P2'] }] },
    ),
    promptPrefix.keys.map((k, l) => joined(k, first.caches[l])),
    promptPrefix.values.map((v, l) => joined(v, first.caches[cfg.layers + l])),
  );
  const second = runDecodeLoop(
    b,
    batch,
    b.op('Sub', [x.steps, firstSteps]),
    first,
    noneGenerated,
    { dtype: 'float32', shape: [batch, H, 'G_end_2', D] },
    decodeStepBody(ctx, cfg, batch, eos, x, longerPrefix, '_2'),
    'steps_2',
  );
  return b.op(
    'Concat',
    [first.tokens, second.tokens],
    { axis: attr.int(0) },
    { types: [{ dtype: 'int64', shape: ['steps_all', batch] }] },
  );
}

/** The part of the cache a Loop only reads: the prompt, then what earlier Loops generated. */
interface CachePrefix {
  readonly dim: string; // the symbolic name of its length in declared shapes
  readonly length: Value; // [1]: positions
  readonly bias: Value; // [B, 1, 1, length]: additive, 0 attended, MASKED on the prompt's padding
  readonly keys: readonly Value[]; // per layer [B, H, length, D]
  readonly values: readonly Value[]; // per layer [B, H, length, D]
}

function cachePrefix(
  b: GraphBuilder,
  dim: string,
  bias: Value,
  keys: readonly Value[],
  values: readonly Value[],
): CachePrefix {
  return { dim, length: b.op('Shape', [bias], { start: attr.int(3) }), bias, keys, values };
}

/** One decode step: the next token from this one, attending over the prefix and the tokens this Loop generated so far. */
function decodeStepBody(
  ctx: ForwardContext,
  cfg: DecoderConfig,
  batch: number,
  eos: Value,
  x: DecodeLoopInputs,
  prefix: CachePrefix,
  tag: string,
) {
  const H = cfg.heads;
  const D = headDim(cfg);
  const body = new GraphBuilder(`decode_step${tag}`, ctx.b);
  const step = { ...ctx, b: body };
  const { iteration, pos, finished, positions, embedded } = stepStart(step, batch, tag); // iteration: steps done so far in this Loop (its generated cache holds iteration + 1 after this one)
  const genK = prefix.keys.map((_, l) => body.input(`gen_k${l}_in${tag}`, 'float32', [batch, H, 'G', D]));
  const genV = prefix.keys.map((_, l) => body.input(`gen_v${l}_in${tag}`, 'float32', [batch, H, 'G', D]));

  // Widths of the prefix and generated parts of each softmax row, the same for every layer.
  const genLength = body.op('Reshape', [body.op('Add', [iteration, body.scalar('int64', 1)]), body.i64([1])]);
  const sizes = body.op('Concat', [prefix.length, genLength], { axis: attr.int(0) }); // [P, G+1]
  const newK: Value[] = [];
  const newV: Value[] = [];
  // q·kᵀ as MatMul over a Transpose, which ORT fuses into one MatMul reading k row by row.
  const scores = (q: Value, k: Value) =>
    body.op('MatMul', [q, body.op('Transpose', [k], { perm: attr.ints([0, 1, 3, 2]) })]);
  /** Attention of this step's (pre-scaled) query over the prefix and the generated tokens. */
  const attend: LayerAttend = (l, q, k, v) => {
    // Named as the body outputs directly: renaming through an Identity would copy them again.
    const genType = [{ dtype: 'float32' as const, shape: [batch, H, 'G+1', D] }];
    const K = body.op(
      'Concat',
      [genK[l], k],
      { axis: attr.int(2) },
      { names: [`gen_k${l}_out${tag}`], types: genType },
    );
    const V = body.op(
      'Concat',
      [genV[l], v],
      { axis: attr.int(2) },
      { names: [`gen_v${l}_out${tag}`], types: genType },
    );
    newK.push(K);
    newV.push(V);
    const onPrefix = body.op('Add', [scores(q, prefix.keys[l]), prefix.bias]); // [B, H, 1, P]
    const probs = body.op(
      'Softmax',
      [
        body.op(
          'Concat',
          [onPrefix, scores(q, K)],
          { axis: attr.int(-1) },
          { types: [{ dtype: 'float32', shape: [batch, H, 1, `${prefix.dim}+G+1`] }] },
        ),
      ],
      { axis: attr.int(-1) },
    );
    const [pPrefix, pGenerated] = body.opN(
      'Split',
      [probs, sizes],
      2,
      { axis: attr.int(-1) },
      {
        types: [
          { dtype: 'float32', shape: [batch, H, 1, prefix.dim] },
          { dtype: 'float32', shape: [batch, H, 1, 'G+1'] },
        ],
      },
    );
    return body.op('Add', [body.op('MatMul', [pPrefix, prefix.values[l]]), body.op('MatMul', [pGenerated, V])]); // [B, H, 1, D]
  };
  const normed = generationStack(
    step,
    cfg,
    embedded,
    { rope: stackRope(body, x.tables, positions, x.kernelTables), attend },
    { singleToken: true },
  );
  finishStep(step, cfg, eos, { pos, finished }, normed, [...newK, ...newV], tag);
  return body.build();
}
