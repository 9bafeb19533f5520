import { attr, type Graph, type GraphBuilder, tensor, type Value } from '@coin/onnx';
import type { DecoderConfig } from '../network/config.js';
import { embedTokens, lmHead } from '../network/decoder.js';
import type { ForwardContext } from '../network/linear.js';
import { greedy } from './prefill.js';

/** Large negative instead of −∞ for masked prompt keys (a fully padded row stays finite). */
const MASKED = -1e9;

/** Additive key bias of a left-padded prompt, [B, 1, 1, P]: 0 where attended, MASKED on padding. */
export function promptKeyBias(b: GraphBuilder, mask: Value): Value {
  return b.op('Mul', [b.op('Sub', [b.scalar('float32', 1), b.op('Cast', [b.op('Unsqueeze', [mask, b.i64([1, 2])])], { to: attr.int(1) })]), b.scalar('float32', MASKED)]);
}

/** True while some sample has not produced the end token. */
function anyOpen(g: GraphBuilder, finished: Value): Value {
  return g.op('Equal', [g.op('ReduceMin', [g.op('Cast', [finished], { to: attr.int(7) })], { keepdims: attr.int(0) }), g.scalar('int64', 0)]);
}

/**
 * A decode step body's leading inputs, in Loop order (the step count, the condition, then the
 * carried token, its position and who has finished), and what every step makes of them: the
 * token's embedding [B, 1, C] and its position as [B, 1].
 */
export function stepStart(step: ForwardContext, batch: number): { iteration: Value; pos: Value; finished: Value; positions: Value; embedded: Value } {
  const body = step.b;
  const iteration = body.input('iteration', 'int64', []);
  body.input('cond_in', 'bool', []);
  const token = body.input('token_in', 'int64', [batch]);
  const pos = body.input('pos_in', 'int64', [batch]);
  const finished = body.input('finished_in', 'bool', [batch]);
  const column = (v: Value) => body.op('Unsqueeze', [v, body.i64([1])]);
  return { iteration, pos, finished, positions: column(pos), embedded: column(embedTokens(step, token)) };
}

/**
 * Ends a step: the greedy next token from the final-norm hidden state [B, 1, C] (the end token
 * again for finished samples), then the body outputs in Loop order: condition, token, position,
 * finished, the carried caches, and the token again as the scan output.
 */
export function finishStep(step: ForwardContext, cfg: DecoderConfig, eos: Value, s: { pos: Value; finished: Value }, normed: Value, caches: readonly Value[]): void {
  const body = step.b;
  const chosen = greedy(body, lmHead(step, cfg, body.op('Squeeze', [normed, body.i64([1])]))); // [B]
  const next = body.op('Where', [s.finished, eos, chosen]);
  const finished = body.op('Or', [s.finished, body.op('Equal', [next, eos])]);
  body.output(anyOpen(body, finished), 'cond_out');
  body.output(next, 'token_out');
  body.output(body.op('Add', [s.pos, body.scalar('int64', 1)]), 'pos_out');
  body.output(finished, 'finished_out');
  caches.forEach((c) => body.output(c));
  body.output(body.op('Identity', [next]), 'token_scan');
}

/**
 * The Loop over a step body: carries the token, its position, who has finished and `caches`
 * (each of `cacheType` at the end), stops after `steps` or once every sample has finished, and
 * returns the tokens it produced, [steps', B].
 */
export function runDecodeLoop(b: GraphBuilder, batch: number, steps: Value, eos: Value, first: { token: Value; positions: Value }, caches: readonly Value[], cacheType: Pick<Value, 'dtype' | 'shape'>, body: Graph): Value {
  const finished = b.op('Equal', [first.token, eos]);
  const carried = [first.token, first.positions, finished, ...caches];
  const outs = b.opN('Loop', [steps, anyOpen(b, finished), ...carried], carried.length + 1, { body: attr.graph(body) }, {
    types: [{ dtype: 'int64', shape: [batch] }, { dtype: 'int64', shape: [batch] }, { dtype: 'bool', shape: [batch] }, ...caches.map(() => cacheType), { dtype: 'int64', shape: ['steps', batch] }],
  });
  return outs[outs.length - 1];
}

/** The end token as a graph constant. */
export function eosConstant(b: GraphBuilder, eosId: number): Value {
  return b.constant(tensor('int64', [], [eosId]), 'eos_id');
}
