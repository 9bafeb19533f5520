import { rmsNorm, type RotaryTables } from '@coin/autodiff';
import { attr, GraphBuilder, tensor, type Value } from '@coin/onnx';
import { internalNames } from '../checkpoint/internal-names.js';
import { type DecoderConfig, headDim } from '../network/config.js';
import { blockFinish, blockQkv, embedTokens, lmHead } from '../network/decoder.js';
import type { ForwardContext } from '../network/linear.js';
import { greedy, ropeAt } from './prefill.js';

export interface DecodeLoopInputs {
  /** Trip count: how many more tokens to generate after the first. int64 scalar. */
  readonly steps: Value;
  readonly firstToken: Value; // [B] int64
  readonly firstPositions: Value; // [B] int64, position of firstToken
  readonly mask: Value; // [B, P] int64 key mask of the prompt
  readonly cache: ReadonlyArray<{ k: Value; v: Value }>; // per layer [B, H, P, D], from the prefill
  readonly tables: RotaryTables;
}

/** Large negative instead of −∞ for masked prompt keys (a fully padded row stays finite). */
const MASKED = -1e9;

/**
 * Greedy decoding as one ONNX Loop: a whole generation is a single `run`, with no per-token host
 * round trip. The prompt's keys and values are loop-invariant (the body reads them from the outer
 * scope, never copied); only the generated part of the cache is loop-carried and grows by one
 * position per step, so the per-step copy covers the new tokens, not the prompt. Each step attends
 * over both parts with one softmax. The loop stops once every sample has produced the end token;
 * finished samples keep emitting it. Returns the tokens after the first, [steps', B].
 */
export function decodeLoop(ctx: ForwardContext, cfg: DecoderConfig, batch: number, eosId: number, x: DecodeLoopInputs): Value {
  const b = ctx.b;
  const H = cfg.heads;
  const D = headDim(cfg);
  const eos = b.constant(tensor('int64', [], [eosId]), 'eos_id');
  const finished0 = b.op('Equal', [x.firstToken, eos]);
  const anyOpen = (g: GraphBuilder, finished: Value) =>
    g.op('Equal', [g.op('ReduceMin', [g.op('Cast', [finished], { to: attr.int(7) })], { keepdims: attr.int(0) }), g.constant(tensor('int64', [], [0]), 'zero_i64')]);
  // Loop-invariant pieces, computed once outside the loop.
  const promptAllowed = b.op('Unsqueeze', [b.op('Cast', [x.mask], { to: attr.int(9) }), b.i64([1, 2])]); // [B, 1, 1, P] bool
  const promptKT = x.cache.map((c) => b.op('Transpose', [c.k], { perm: attr.ints([0, 1, 3, 2]) })); // [B, H, D, P]
  const promptLength = b.op('Shape', [x.mask], { start: attr.int(1) }); // [1]: P
  const empty = b.op('ConstantOfShape', [b.i64([batch, H, 0, D])], { value: attr.tensor(tensor('float32', [1], [0])) }); // [B, H, 0, D]

  const body = new GraphBuilder('decode_step', b);
  const iteration = body.input('iteration', 'int64', []); // steps done so far: the generated cache holds iteration + 1 after this one
  body.input('cond_in', 'bool', []);
  const token = body.input('token_in', 'int64', [batch]);
  const pos = body.input('pos_in', 'int64', [batch]);
  const finished = body.input('finished_in', 'bool', [batch]);
  const genK = x.cache.map((_, l) => body.input(`gen_k${l}_in`, 'float32', [batch, H, 'G', D]));
  const genV = x.cache.map((_, l) => body.input(`gen_v${l}_in`, 'float32', [batch, H, 'G', D]));

  const step = { ...ctx, b: body };
  const rope = ropeAt(body, x.tables, body.op('Unsqueeze', [pos, body.i64([1])])); // [B, 1, 1, D]
  const scale = body.scalar('float32', 1 / Math.sqrt(D));
  const masked = body.scalar('float32', MASKED);
  // Widths of the prompt and generated parts of each softmax row, the same for every layer.
  const generatedLength = body.op('Reshape', [body.op('Add', [iteration, body.constant(tensor('int64', [], [1]), 'one_i64')]), body.i64([1])]);
  const sizes = body.op('Concat', [promptLength, generatedLength], { axis: attr.int(0) }); // [P, G+1]
  let h = body.op('Unsqueeze', [embedTokens(step, token), body.i64([1])]); // [B, 1, C]
  const newK: Value[] = [];
  const newV: Value[] = [];
  for (let l = 0; l < cfg.layers; l++) {
    h = body.scope(`layer${l}`, () => {
      const { q, k, v } = blockQkv(step, cfg, l, h, rope, true); // [B, H, 1, D]
      // Named as the body outputs directly: renaming through an Identity would copy them again.
      const genType = [{ dtype: 'float32' as const, shape: [batch, H, 'G+1', D] }];
      const K = body.op('Concat', [genK[l], k], { axis: attr.int(2) }, { names: [`gen_k${l}_out`], types: genType });
      const V = body.op('Concat', [genV[l], v], { axis: attr.int(2) }, { names: [`gen_v${l}_out`], types: genType });
      newK.push(K);
      newV.push(V);
      const qs = body.op('Mul', [q, scale]);
      const onPrompt = body.op('Where', [promptAllowed, body.op('MatMul', [qs, promptKT[l]]), masked]); // [B, H, 1, P]
      const onGenerated = body.op('MatMul', [qs, body.op('Transpose', [K], { perm: attr.ints([0, 1, 3, 2]) })]); // [B, H, 1, G+1]
      const probs = body.op('Softmax', [body.op('Concat', [onPrompt, onGenerated], { axis: attr.int(-1) }, { types: [{ dtype: 'float32', shape: [batch, H, 1, 'P+G+1'] }] })], { axis: attr.int(-1) });
      const [pPrompt, pGenerated] = body.opN('Split', [probs, sizes], 2, { axis: attr.int(-1) }, { types: [{ dtype: 'float32', shape: [batch, H, 1, 'P'] }, { dtype: 'float32', shape: [batch, H, 1, 'G+1'] }] });
      const att = body.op('Add', [body.op('MatMul', [pPrompt, x.cache[l].v]), body.op('MatMul', [pGenerated, V])]); // [B, H, 1, D]
      return blockFinish(step, cfg, l, h, att, true);
    });
  }
  const hidden = body.op('Squeeze', [rmsNorm(body, h, ctx.w.get(internalNames.norm), cfg.normEps), body.i64([1])]); // [B, C]
  const chosen = greedy(body, lmHead(step, cfg, hidden)); // [B]
  const next = body.op('Where', [finished, eos, chosen]);
  const finishedOut = body.op('Or', [finished, body.op('Equal', [next, eos])]);
  body.output(anyOpen(body, finishedOut), 'cond_out');
  body.output(next, 'token_out');
  body.output(body.op('Add', [pos, body.constant(tensor('int64', [], [1]), 'one_i64')]), 'pos_out');
  body.output(finishedOut, 'finished_out');
  newK.forEach((k) => body.output(k));
  newV.forEach((v) => body.output(v));
  body.output(body.op('Identity', [next]), 'token_scan');

  const carried = [x.firstToken, x.firstPositions, finished0, ...x.cache.map(() => empty), ...x.cache.map(() => empty)];
  const genType = { dtype: 'float32' as const, shape: [batch, H, 'G_end', D] };
  const types = [
    { dtype: 'int64' as const, shape: [batch] },
    { dtype: 'int64' as const, shape: [batch] },
    { dtype: 'bool' as const, shape: [batch] },
    ...x.cache.flatMap(() => [genType, genType]),
    { dtype: 'int64' as const, shape: ['steps', batch] },
  ];
  const outs = b.opN('Loop', [x.steps, anyOpen(b, finished0), ...carried], carried.length + 1, { body: attr.graph(body.build()) }, { types });
  return outs[outs.length - 1]; // [steps', B]
}
