import type { RotaryTables } from '@coin/autodiff';
import { attr, GraphBuilder, tensor, type Value } from '@coin/onnx';
import { type DecoderConfig, headDim } from '../network/config.js';
import { decoderStack, type LayerAttend } from '../network/decoder.js';
import type { ForwardContext } from '../network/linear.js';
import { type FusedStepWeights, fusedStack } from './fused-decode.js';
import { eosConstant, finishStep, promptKeyBias, runDecodeLoop, stepStart } from './decode-step.js';
import { fusedRope, type HalfTables, ropeAt } from './prefill.js';

export interface DecodeLoopInputs {
  /** Trip count: how many more tokens to generate after the first. int64 scalar. */
  readonly steps: Value;
  readonly firstToken: Value; // [B] int64
  readonly firstPositions: Value; // [B] int64, position of firstToken
  readonly mask: Value; // [B, P] int64 key mask of the prompt
  readonly cache: ReadonlyArray<{ k: Value; v: Value }>; // per layer [B, H, P, D], from the prefill
  readonly tables: RotaryTables;
  /** Fused step weights (fused-decode.ts); absent = the layer-by-layer step (unmerged adapters). */
  readonly fused?: FusedStepWeights;
  /** With `fused`: rotary by ORT's com.microsoft RotaryEmbedding kernel over these tables. */
  readonly kernelTables?: HalfTables;
}

/**
 * Greedy decoding as one ONNX Loop: a whole generation is a single `run`, with no per-token host
 * round trip. The prompt's keys (transposed) and values are loop-invariant: the body reads them
 * from the outer scope, never copied. Only the generated part of the cache is loop-carried and
 * grows by one position per step, so the per-step copy covers the new tokens, not the prompt. Each
 * step attends over both parts with one softmax. The loop stops once every sample has produced the
 * end token; finished samples keep emitting it. Returns the tokens after the first, [steps', B].
 *
 * (Tried: blocks of 16 steps as an inner Loop inside an outer one, so the carried cache stays
 * short. ORT ran the nested body's MatMuls 20–35 % slower than the same ops one Loop deep.)
 */
export function decodeLoop(ctx: ForwardContext, cfg: DecoderConfig, batch: number, eosId: number, x: DecodeLoopInputs): Value {
  const b = ctx.b;
  const H = cfg.heads;
  const D = headDim(cfg);
  const L = cfg.layers;
  const eos = eosConstant(b, eosId);
  // The prompt's cache: additive key bias (0 attended, MASKED on padding), keys transposed.
  const prompt: PromptCache = {
    length: b.op('Shape', [x.mask], { start: attr.int(1) }), // [1]: P
    bias: promptKeyBias(b, x.mask),
    keysT: x.cache.map((c) => b.op('Transpose', [c.k], { perm: attr.ints([0, 1, 3, 2]) })), // [B, H, D, P]
    values: x.cache.map((c) => c.v),
  };
  const empty = b.op('ConstantOfShape', [b.i64([batch, H, 0, D])], { value: attr.tensor(tensor('float32', [1], [0])) }); // [B, H, 0, D]
  const body = decodeStepBody(ctx, cfg, batch, eos, b, x, prompt);
  const caches = Array.from({ length: 2 * L }, () => empty);
  return runDecodeLoop(b, batch, x.steps, eos, { token: x.firstToken, positions: x.firstPositions }, caches, { dtype: 'float32', shape: [batch, H, 'G_end', D] }, body);
}

/** The prompt's cache, which every step attends to and none copies. */
interface PromptCache {
  readonly length: Value; // [1]: P
  readonly bias: Value; // [B, 1, 1, P]
  readonly keysT: readonly Value[]; // per layer [B, H, D, P]
  readonly values: readonly Value[]; // per layer [B, H, P, D]
}

/** One decode step: the next token from this one, attending over the prompt and the tokens generated so far. */
function decodeStepBody(ctx: ForwardContext, cfg: DecoderConfig, batch: number, eos: Value, parent: GraphBuilder, x: DecodeLoopInputs, prompt: PromptCache) {
  const H = cfg.heads;
  const D = headDim(cfg);
  const body = new GraphBuilder('decode_step', parent);
  const step = { ...ctx, b: body };
  const { iteration, pos, finished, positions, embedded } = stepStart(step, batch); // iteration: steps done so far (the generated cache holds iteration + 1 after this one)
  const genK = prompt.keysT.map((_, l) => body.input(`gen_k${l}_in`, 'float32', [batch, H, 'G', D]));
  const genV = prompt.keysT.map((_, l) => body.input(`gen_v${l}_in`, 'float32', [batch, H, 'G', D]));

  // Widths of the prompt and generated parts of each softmax row, the same for every layer.
  const genLength = body.op('Reshape', [body.op('Add', [iteration, body.scalar('int64', 1)]), body.i64([1])]);
  const sizes = body.op('Concat', [prompt.length, genLength], { axis: attr.int(0) }); // [P, G+1]
  const newK: Value[] = [];
  const newV: Value[] = [];
  /** Attention of this step's (pre-scaled) query over the prompt and the generated tokens. */
  const attend: LayerAttend = (l, q, k, v) => {
    // Named as the body outputs directly: renaming through an Identity would copy them again.
    const genType = [{ dtype: 'float32' as const, shape: [batch, H, 'G+1', D] }];
    const K = body.op('Concat', [genK[l], k], { axis: attr.int(2) }, { names: [`gen_k${l}_out`], types: genType });
    const V = body.op('Concat', [genV[l], v], { axis: attr.int(2) }, { names: [`gen_v${l}_out`], types: genType });
    newK.push(K);
    newV.push(V);
    const onPrompt = body.op('Add', [body.op('MatMul', [q, prompt.keysT[l]]), prompt.bias]); // [B, H, 1, P]
    const onGenerated = body.op('MatMul', [q, body.op('Transpose', [K], { perm: attr.ints([0, 1, 3, 2]) })]); // [B, H, 1, G+1]
    const probs = body.op('Softmax', [body.op('Concat', [onPrompt, onGenerated], { axis: attr.int(-1) }, { types: [{ dtype: 'float32', shape: [batch, H, 1, 'P+G+1'] }] })], { axis: attr.int(-1) });
    const [pPrompt, pGenerated] = body.opN('Split', [probs, sizes], 2, { axis: attr.int(-1) }, { types: [{ dtype: 'float32', shape: [batch, H, 1, 'P'] }, { dtype: 'float32', shape: [batch, H, 1, 'G+1'] }] });
    return body.op('Add', [body.op('MatMul', [pPrompt, prompt.values[l]]), body.op('MatMul', [pGenerated, V])]); // [B, H, 1, D]
  };
  const normed = x.fused
    ? fusedStack(body, cfg, x.fused, embedded, { rope: fusedRope(body, x.tables, positions, x.kernelTables), attend }, { singleToken: true })
    : decoderStack(step, cfg, embedded, ropeAt(body, x.tables, positions), (l, q, k, v) => attend(l, body.op('Mul', [q, body.scalar('float32', 1 / Math.sqrt(D))]), k, v), { singleToken: true });
  finishStep(step, cfg, eos, { pos, finished }, normed, [...newK, ...newV]);
  return body.build();
}
