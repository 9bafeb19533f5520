import { CoinError } from '@coin/core';
import { attr, GraphBuilder, type Model, type Value } from '@coin/onnx';
import type { FlatLayout } from '@coin/runtime';
import { gradients } from '../backward.js';
import { type AdamWConfig, adamwUpdate, DEFAULT_ADAMW } from './adamw.js';
import { layoutParams, type ParamSpec } from './flat-layout.js';

/** Input and output names of the training graphs (the host runner feeds and reads these). */
export const TRAIN_IO = {
  params: 'params',
  m: 'adam_m',
  v: 'adam_v',
  step: 'step',
  lr: 'lr',
  gradAcc: 'grad_acc',
  gradScale: 'grad_scale',
  loss: 'loss',
  paramsOut: 'params_out',
  mOut: 'adam_m_out',
  vOut: 'adam_v_out',
  gradNorm: 'grad_norm',
  gradAccOut: 'grad_acc_out',
  grad: 'grad',
} as const;

export interface TrainGraphSpec {
  readonly name: string;
  /** Trainable parameters, in flat-vector order. Everything else the forward creates is frozen. */
  readonly trainable: readonly ParamSpec[];
  /**
   * Builds the forward pass: declares the batch inputs and frozen initializers on `b`, reads the
   * trainable parameters from `params`, and returns the scalar loss.
   */
  readonly forward: (b: GraphBuilder, params: ReadonlyMap<string, Value>) => Value;
  readonly optimizer?: Partial<AdamWConfig>;
}

/**
 * step: forward + backward + AdamW in one graph (no accumulation).
 * accumulate: forward + backward, adding the flat gradient into grad_acc.
 * apply: AdamW on an accumulated gradient scaled by grad_scale (1 / micro-batches).
 * gradient: forward + backward only, returning the loss and the flat unclipped gradient (EWC's
 * Fisher, gradient checks); no optimizer state goes in or out.
 */
export type TrainGraphKind = 'step' | 'accumulate' | 'apply' | 'gradient';

export interface TrainGraph {
  readonly kind: TrainGraphKind;
  readonly model: Model;
  /** Where each trainable parameter lies in the flat vectors (`layout.total` scalars). */
  readonly layout: FlatLayout;
  /** Learning-rate groups in the order of the `lr` input ([G]); empty for `gradient`/`accumulate`. */
  readonly groups: readonly string[];
}

export function buildTrainGraph(spec: TrainGraphSpec, kind: TrainGraphKind): TrainGraph {
  const { layout, slots, groups } = layoutParams(spec.trainable);
  const total = layout.total;
  if (total === 0)
    throw new CoinError('TRAIN.NO_PARAMS', 'INVALID_ARGUMENT', `training graph ${spec.name}: no trainable parameters`);
  const config = { ...DEFAULT_ADAMW, ...spec.optimizer };
  const b = new GraphBuilder(`${spec.name}_${kind}`);
  const params = b.input(TRAIN_IO.params, 'float32', [total]);

  let flatGrad: Value;
  if (kind === 'apply') {
    const acc = b.input(TRAIN_IO.gradAcc, 'float32', [total]);
    flatGrad = b.op('Mul', [acc, b.input(TRAIN_IO.gradScale, 'float32', [])]);
  } else {
    const views = new Map<string, Value>();
    b.scope('params', () => {
      for (const s of slots) {
        const piece = b.op('Slice', [params, b.i64([s.offset]), b.i64([s.offset + s.size]), b.i64([0])]);
        views.set(s.name, b.op('Reshape', [piece, b.i64(s.dims)], {}, { names: [s.name] }));
      }
    });
    const loss = b.scope('forward', () => spec.forward(b, views));
    if (loss.shape === null || loss.shape.length !== 0)
      throw new Error(`training graph ${spec.name}: the loss must be a scalar, got ${loss.name}`);
    b.output(loss, TRAIN_IO.loss);
    const grads = gradients(
      b,
      loss,
      slots.map((s) => views.get(s.name)!),
    );
    const pieces = slots.map((s) => b.op('Reshape', [grads.get(s.name)!, b.i64([s.size])]));
    flatGrad = pieces.length === 1 ? pieces[0] : b.op('Concat', pieces, { axis: attr.int(0) }); // [N]
    if (kind === 'accumulate') {
      const acc = b.input(TRAIN_IO.gradAcc, 'float32', [total]);
      b.output(b.op('Add', [acc, flatGrad]), TRAIN_IO.gradAccOut);
      return { kind, model: b.model({ docString: `gradient accumulation for ${spec.name}` }), layout, groups: [] };
    }
    if (kind === 'gradient') {
      b.output(flatGrad, TRAIN_IO.grad);
      return { kind, model: b.model({ docString: `loss and gradient of ${spec.name}` }), layout, groups: [] };
    }
  }

  const m = b.input(TRAIN_IO.m, 'float32', [total]);
  const v = b.input(TRAIN_IO.v, 'float32', [total]);
  const step = b.input(TRAIN_IO.step, 'float32', []);
  const lr = b.input(TRAIN_IO.lr, 'float32', [groups.length]); // one rate per group
  const updated = adamwUpdate(b, { params, m, v, grad: flatGrad, step, lr }, config, slots);
  b.output(updated.params, TRAIN_IO.paramsOut);
  b.output(updated.m, TRAIN_IO.mOut);
  b.output(updated.v, TRAIN_IO.vOut);
  b.output(updated.gradNorm, TRAIN_IO.gradNorm);
  return { kind, model: b.model({ docString: `${kind} for ${spec.name}` }), layout, groups };
}
