import { attr, GraphBuilder, type Value } from '@coin/onnx';
import { type DecoderConfig, headDim } from '../network/config.js';
import type { ForwardContext } from '../network/linear.js';
import type { DecodeLoopInputs } from './decode-loop.js';
import {
  attendedBias,
  eosConstant,
  finishStep,
  firstState,
  promptKeyBias,
  runDecodeLoop,
  stepStart,
} from './decode-step.js';
import { generationStack } from './generation-stack.js';
import type { HalfTables } from './prefill.js';

/** ORT's kernel rotates only head sizes that are multiples of 16. */
export function gqaHeadSizeFits(headSize: number): boolean {
  return headSize % 16 === 0;
}

/**
 * Greedy decoding as one ONNX Loop whose step runs each layer's attention as ORT's com.microsoft
 * GroupQueryAttention on the packed [q·s | k | v] projection: rotary at each token's position (its
 * count of real tokens, as in the prefill), the cache append and the softmax in one kernel, with
 * the prompt's padding masked by an additive bias. A layer is 11 nodes instead of 28–31 (a step 77
 * instead of 140–156), which counts at batch 1, where a step is bound by per-node overhead
 * rather than arithmetic. The whole cache (prompt, left-padded, and generated) is loop-carried and
 * the kernel copies it every step, so from batch 2 up this measured slower than decodeLoop
 * (bench/README.md). Returns the tokens after the first, [steps', B].
 */
export function gqaDecodeLoop(
  ctx: ForwardContext,
  cfg: DecoderConfig,
  batch: number,
  eosId: number,
  x: DecodeLoopInputs & { kernelTables: HalfTables },
): Value {
  const b = ctx.b;
  const H = cfg.heads;
  const D = headDim(cfg);
  const eos = eosConstant(b, eosId);
  const promptLength = b.op('Shape', [x.mask], { start: attr.int(1) }); // [1]
  // Key bias over the longest cache: MASKED on prompt padding, 0 on the prompt's tokens and every generated one.
  const bias = b.op(
    'Concat',
    [promptKeyBias(b, x.mask), attendedBias(b, batch, b.op('Reshape', [x.steps, b.i64([1])]))],
    { axis: attr.int(-1) },
    { types: [{ dtype: 'float32', shape: [batch, 1, 1, 'P+steps'] }] },
  );

  const body = new GraphBuilder('gqa_decode_step', b);
  const step = { ...ctx, b: body };
  const { iteration, pos, finished, positions, embedded } = stepStart(step, batch);
  const pastK = x.cache.map((_, l) => body.input(`gqa_k${l}_in`, 'float32', [batch, H, 'T', D]));
  const pastV = x.cache.map((_, l) => body.input(`gqa_v${l}_in`, 'float32', [batch, H, 'T', D]));
  const past = body.op('Add', [promptLength, body.op('Reshape', [iteration, body.i64([1])])]); // [1]: cached positions
  const total = body.op('Add', [past, body.i64([1])]); // [1]
  const seqlensK = body.op('Cast', [body.op('Expand', [past, body.i64([batch])])], { to: attr.int(6) }); // [B] int32
  const totalI32 = body.op('Cast', [body.op('Squeeze', [total, body.i64([0])])], { to: attr.int(6) });
  const stepBias = body.op(
    'Slice',
    [bias, body.i64([0]), total, body.i64([3])],
    {},
    { types: [{ dtype: 'float32', shape: [batch, 1, 1, 'T+1'] }] },
  );
  const present: Value[][] = [[], []];
  const packed = (l: number, qkv: Value): Value => {
    const cacheType = { dtype: 'float32' as const, shape: [batch, H, 'T+1', D] };
    const [out, k, v] = body.opN(
      'GroupQueryAttention',
      [
        qkv,
        undefined,
        undefined,
        pastK[l],
        pastV[l],
        seqlensK,
        totalI32,
        x.kernelTables.cos,
        x.kernelTables.sin,
        positions,
        stepBias,
      ],
      3,
      {
        num_heads: attr.int(H),
        kv_num_heads: attr.int(H),
        scale: attr.float(1),
        do_rotary: attr.int(1),
        rotary_interleaved: attr.int(0),
      },
      {
        domain: 'com.microsoft',
        names: [`gqa_out${l}`, `gqa_k${l}_out`, `gqa_v${l}_out`],
        types: [{ dtype: 'float32', shape: [batch, 1, cfg.dim] }, cacheType, cacheType],
      },
    );
    present[0].push(k);
    present[1].push(v);
    return out;
  };
  const normed = generationStack(step, cfg, embedded, { packed }, { singleToken: true });
  finishStep(step, cfg, eos, { pos, finished }, normed, [...present[0], ...present[1]]);
  const caches = [...x.cache.map((c) => c.k), ...x.cache.map((c) => c.v)];
  const start = firstState(b, eos, { token: x.firstToken, positions: x.firstPositions });
  return runDecodeLoop(
    b,
    batch,
    x.steps,
    start,
    caches,
    { dtype: 'float32', shape: [batch, H, 'T_end', D] },
    body.build(),
  ).tokens;
}
