import { maskBias } from '@coin/autodiff';
import { attr, type Graph, type GraphBuilder, tensor, type Value } from '@coin/onnx';
import type { DecoderConfig } from '../network/config.js';
import { embedTokens, lmHead } from '../network/decoder.js';
import type { ForwardContext } from '../network/linear.js';
import { greedy } from './prefill.js';

/** Additive key bias of a left-padded prompt [B, P] (int64, 1 = token), as [B, 1, 1, P]: 0 where attended, a large negative on padding. */
export function promptKeyBias(b: GraphBuilder, mask: Value): Value {
  const allowed = b.op('Cast', [b.op('Unsqueeze', [mask, b.i64([1, 2])])], { to: attr.int(9) }); // bool
  return maskBias(b, allowed, 'float32');
}

/** Additive key bias [B, 1, 1, width] of 0 (keys every sample attends to), for a run-time width [1]. */
export function attendedBias(b: GraphBuilder, batch: number, width: Value): Value {
  return b.op('ConstantOfShape', [b.op('Concat', [b.i64([batch, 1, 1]), width], { axis: attr.int(0) })], {
    value: attr.tensor(tensor('float32', [1], [0])),
  });
}

/** True while some sample has not produced the end token. */
function anyOpen(g: GraphBuilder, finished: Value): Value {
  return g.op('Equal', [
    g.op('ReduceMin', [g.op('Cast', [finished], { to: attr.int(7) })], { keepdims: attr.int(0) }),
    g.scalar('int64', 0),
  ]);
}

/**
 * A decode step body's leading inputs, in Loop order (the step count, the condition, then the
 * carried token, its position and who has finished), and what every step makes of them: the
 * token's embedding [B, 1, C] and its position as [B, 1]. `tag` suffixes the input names, which
 * must differ between the bodies of Loops in one graph.
 */
export function stepStart(
  step: ForwardContext,
  batch: number,
  tag = '',
): { iteration: Value; pos: Value; finished: Value; positions: Value; embedded: Value } {
  const body = step.b;
  const iteration = body.input(`iteration${tag}`, 'int64', []);
  body.input(`cond_in${tag}`, 'bool', []);
  const token = body.input(`token_in${tag}`, 'int64', [batch]);
  const pos = body.input(`pos_in${tag}`, 'int64', [batch]);
  const finished = body.input(`finished_in${tag}`, 'bool', [batch]);
  const column = (v: Value) => body.op('Unsqueeze', [v, body.i64([1])]);
  return { iteration, pos, finished, positions: column(pos), embedded: column(embedTokens(step, token)) };
}

/**
 * Ends a step: the greedy next token from the final-norm hidden state [B, 1, C] (the end token
 * again for finished samples), then the body outputs in Loop order: condition, token, position,
 * finished, the carried caches, and the token again as the scan output (names suffixed by `tag`,
 * as in stepStart).
 */
export function finishStep(
  step: ForwardContext,
  cfg: DecoderConfig,
  eos: Value,
  s: { pos: Value; finished: Value },
  normed: Value,
  caches: readonly Value[],
  tag = '',
): void {
  const body = step.b;
  const chosen = greedy(body, lmHead(step, cfg, body.op('Squeeze', [normed, body.i64([1])]))); // [B]
  const next = body.op('Where', [s.finished, eos, chosen]);
  const finished = body.op('Or', [s.finished, body.op('Equal', [next, eos])]);
  body.output(anyOpen(body, finished), `cond_out${tag}`);
  body.output(next, `token_out${tag}`);
  body.output(body.op('Add', [s.pos, body.scalar('int64', 1)]), `pos_out${tag}`);
  body.output(finished, `finished_out${tag}`);
  caches.forEach((c) => body.output(c));
  body.output(body.op('Identity', [next]), `token_scan${tag}`);
}

/** What a decode Loop carries from one step to the next (and from one Loop to the next). */
export interface DecodeState {
  readonly token: Value; // [B] int64: the newest token
  readonly positions: Value; // [B] int64: its position
  readonly finished: Value; // [B] bool: has produced the end token
}

/** The state before the first step: a sample whose first token is the end token has finished. */
export function firstState(b: GraphBuilder, eos: Value, first: { token: Value; positions: Value }): DecodeState {
  return { ...first, finished: b.op('Equal', [first.token, eos]) };
}

/**
 * The Loop over a step body: carries the state and `caches` (each of `cacheType` at the end),
 * runs `steps` times or until every sample has finished (not at all if every one already has),
 * and returns the final state and caches, and the tokens it produced, [steps', B].
 */
export function runDecodeLoop(
  b: GraphBuilder,
  batch: number,
  steps: Value,
  start: DecodeState,
  caches: readonly Value[],
  cacheType: Pick<Value, 'dtype' | 'shape'>,
  body: Graph,
  stepsDim = 'steps',
): DecodeState & { caches: Value[]; tokens: Value } {
  const carried = [start.token, start.positions, start.finished, ...caches];
  const outs = b.opN(
    'Loop',
    [steps, anyOpen(b, start.finished), ...carried],
    carried.length + 1,
    { body: attr.graph(body) },
    {
      types: [
        { dtype: 'int64', shape: [batch] },
        { dtype: 'int64', shape: [batch] },
        { dtype: 'bool', shape: [batch] },
        ...caches.map(() => cacheType),
        { dtype: 'int64', shape: [stepsDim, batch] },
      ],
    },
  );
  return {
    token: outs[0],
    positions: outs[1],
    finished: outs[2],
    caches: outs.slice(3, 3 + caches.length),
    tokens: outs[outs.length - 1],
  };
}

/** The end token as a graph constant. */
export function eosConstant(b: GraphBuilder, eosId: number): Value {
  return b.constant(tensor('int64', [], [eosId]), 'eos_id');
}
