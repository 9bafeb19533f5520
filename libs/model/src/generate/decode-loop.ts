import { attention, rmsNorm } from '@coin/autodiff';
import { attr, GraphBuilder, tensor, type Value } from '@coin/onnx';
import { type DecoderConfig, headDim } from '../network/config.js';
import { blockFinish, blockQkv, embedTokens, lmHead } from '../network/decoder.js';
import { internalNames } from '../checkpoint/internal-names.js';
import type { ForwardContext } from '../network/linear.js';
import { greedy, ropeAt } from './prefill.js';

export interface DecodeLoopInputs {
  /** Trip count: how many more tokens to generate after the first. int64 scalar. */
  readonly steps: Value;
  readonly firstToken: Value; // [B] int64
  readonly firstPositions: Value; // [B] int64, position of firstToken
  readonly mask: Value; // [B, P] int64 key mask of the prompt
  readonly cache: ReadonlyArray<{ k: Value; v: Value }>; // per layer [B, H, P, D]
  readonly tables: { cos: Value; sin: Value };
}

/**
 * Greedy decoding as one ONNX Loop: the KV cache, positions and finished flags are loop-carried
 * inside ORT, so a whole generation is a single `run` with no per-token host round trip. The loop
 * stops early once every sample has produced the end token; finished samples keep emitting it.
 * Returns the generated tokens after the first, [steps', B] (steps' ≤ steps).
 */
export function decodeLoop(ctx: ForwardContext, cfg: DecoderConfig, batch: number, eosId: number, x: DecodeLoopInputs): Value {
  const b = ctx.b;
  const H = cfg.heads;
  const D = headDim(cfg);
  const eos = b.constant(tensor('int64', [], [eosId]), 'eos_id');
  const finished0 = b.op('Equal', [x.firstToken, eos]);
  const anyOpen = (g: GraphBuilder, finished: Value) =>
    g.op('Equal', [g.op('ReduceMin', [g.op('Cast', [finished], { to: attr.int(7) })], { keepdims: attr.int(0) }), g.constant(tensor('int64', [], [0]), 'zero_i64')]);

  const body = new GraphBuilder('decode_step', b);
  body.input('iteration', 'int64', []);
  body.input('cond_in', 'bool', []);
  const token = body.input('token_in', 'int64', [batch]);
  const pos = body.input('pos_in', 'int64', [batch]);
  const finished = body.input('finished_in', 'bool', [batch]);
  const mask = body.input('mask_in', 'int64', [batch, 'S']);
  const pastK = x.cache.map((_, l) => body.input(`past_k${l}_in`, 'float32', [batch, H, 'S', D]));
  const pastV = x.cache.map((_, l) => body.input(`past_v${l}_in`, 'float32', [batch, H, 'S', D]));

  const step = { ...ctx, b: body };
  const rope = ropeAt(body, x.tables, body.op('Unsqueeze', [pos, body.i64([1])])); // [B, 1, 1, D/2]
  const ones = body.constant(tensor('int64', [batch, 1], new Array(batch).fill(1)), 'ones_b1');
  const maskOut = body.op('Concat', [mask, ones], { axis: attr.int(1) }, { names: ['mask_out'], types: [{ dtype: 'int64', shape: [batch, 'S+1'] }] }); // [B, S+1]
  let h = body.op('Unsqueeze', [embedTokens(step, token), body.i64([1])]); // [B, 1, C]
  const newK: Value[] = [];
  const newV: Value[] = [];
  for (let l = 0; l < cfg.layers; l++) {
    h = body.scope(`layer${l}`, () => {
      const { q, k, v } = blockQkv(step, cfg, l, h, rope); // [B, H, 1, D]
      // Named as the body outputs directly: an Identity to rename them would copy the cache every step.
      const cacheType = [{ dtype: 'float32' as const, shape: [batch, H, 'S+1', D] }];
      const K = body.op('Concat', [pastK[l], k], { axis: attr.int(2) }, { names: [`past_k${l}_out`], types: cacheType });
      const V = body.op('Concat', [pastV[l], v], { axis: attr.int(2) }, { names: [`past_v${l}_out`], types: cacheType });
      newK.push(K);
      newV.push(V);
      return blockFinish(step, cfg, l, h, attention(body, q, K, V, { causal: false, keyPadding: maskOut }));
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
  body.output(maskOut);
  newK.forEach((k) => body.output(k));
  newV.forEach((v) => body.output(v));
  body.output(body.op('Identity', [next]), 'token_scan');

  const carried = [x.firstToken, x.firstPositions, finished0, x.mask, ...x.cache.map((c) => c.k), ...x.cache.map((c) => c.v)];
  const types = [
    { dtype: 'int64' as const, shape: [batch] },
    { dtype: 'int64' as const, shape: [batch] },
    { dtype: 'bool' as const, shape: [batch] },
    { dtype: 'int64' as const, shape: [batch, 'S_end'] },
    ...x.cache.flatMap(() => [{ dtype: 'float32' as const, shape: [batch, H, 'S_end', D] }]),
    ...x.cache.flatMap(() => [{ dtype: 'float32' as const, shape: [batch, H, 'S_end', D] }]),
    { dtype: 'int64' as const, shape: ['steps', batch] },
  ];
  const outs = b.opN('Loop', [x.steps, anyOpen(b, finished0), ...carried], carried.length + 1, { body: attr.graph(body.build()) }, { types });
  return outs[outs.length - 1]; // [steps', B]
}
