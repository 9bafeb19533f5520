import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { type AdapterConfig, type DecoderConfig, isAdapterName, type LinearTarget, type WeightMap } from '@coin/model';

/**
 * The same decoder training step as the ONNX graph (RMSNorm, rotary, causal attention, SwiGLU,
 * LoRA on the targeted linears, shifted cross-entropy with −100 ignored, Adam), written with
 * TensorFlow.js for the `tfjs_ratio` comparison. The embedding is a one-hot MatMul because the
 * wasm backend has no UnsortedSegmentSum kernel for the Gather gradient.
 */
export async function useWasmBackend(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
}

export interface TfjsStep {
  step(ids: BigInt64Array, labels: BigInt64Array): number;
  dispose(): void;
}

export function createTfjsStep(
  cfg: DecoderConfig,
  weights: WeightMap,
  adapter: AdapterConfig,
  batch: number,
  seq: number,
  lr: number,
): TfjsStep {
  const vars = new Map<string, tf.Variable>();
  const consts = new Map<string, tf.Tensor>();
  const trainable = (name: string) => adapter.kind === 'full' || isAdapterName(name);
  for (const [name, t] of weights) {
    const value = tf.tensor(t.data as Float32Array, [...t.dims]);
    if (trainable(name)) vars.set(name, tf.variable(value, true, name));
    else consts.set(name, value);
  }
  const get = (name: string): tf.Tensor =>
    vars.get(name) ??
    consts.get(name) ??
    (() => {
      throw new Error(`tfjs: missing ${name}`);
    })();
  const hd = cfg.dim / cfg.heads;
  const half = hd / 2;
  const cos = new Float32Array(seq * half);
  const sin = new Float32Array(seq * half);
  for (let p = 0; p < seq; p++)
    for (let i = 0; i < half; i++) {
      const a = p * Math.pow(cfg.ropeBase, (-2 * i) / hd);
      cos[p * half + i] = Math.cos(a);
      sin[p * half + i] = Math.sin(a);
    }
  const cosT = tf.tensor2d(cos, [seq, half]);
  const sinT = tf.tensor2d(sin, [seq, half]);
  const causal = tf.linalg.bandPart(tf.ones([seq, seq]), -1, 0);
  const maskAdd = tf.mul(tf.sub(1, causal), -1e9);
  const optimizer = tf.train.adam(lr, 0.9, 0.999, 1e-8);
  const scale = adapter.alpha / adapter.rank;

  const rms = (x: tf.Tensor, g: tf.Tensor) =>
    tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), cfg.normEps))), g);
  const linear = (x: tf.Tensor, path: string, target: LinearTarget) => {
    let y = tf.matMul(x.reshape([-1, x.shape[x.shape.length - 1]]), get(`${path}.weight`) as tf.Tensor2D);
    if (adapter.kind === 'lora' && adapter.targets.includes(target)) {
      const h = tf.matMul(x.reshape([-1, x.shape[x.shape.length - 1]]), get(`${path}.lora_A`) as tf.Tensor2D);
      y = tf.add(y, tf.matMul(tf.mul(h, scale), get(`${path}.lora_B`) as tf.Tensor2D));
    }
    return y.reshape([batch, seq, -1]);
  };
  const heads = (x: tf.Tensor) => tf.transpose(x.reshape([batch, seq, cfg.heads, hd]), [0, 2, 1, 3]);
  const rotary = (x: tf.Tensor) => {
    const [x1, x2] = tf.split(x, 2, -1);
    return tf.concat([tf.sub(tf.mul(x1, cosT), tf.mul(x2, sinT)), tf.add(tf.mul(x2, cosT), tf.mul(x1, sinT))], -1);
  };

  const loss = (ids: tf.Tensor, labels: tf.Tensor, mask: tf.Tensor) => () => {
    let x = tf
      .matMul(tf.oneHot(ids.reshape([-1]), cfg.vocab).toFloat(), get('tok_embeddings') as tf.Tensor2D)
      .reshape([batch, seq, cfg.dim]);
    for (let l = 0; l < cfg.layers; l++) {
      const h = rms(x, get(`layers.${l}.attn_norm`));
      const q = rotary(heads(linear(h, `layers.${l}.attn.q`, 'q')));
      const k = rotary(heads(linear(h, `layers.${l}.attn.k`, 'k')));
      const v = heads(linear(h, `layers.${l}.attn.v`, 'v'));
      const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hd)), maskAdd);
      const att = tf.transpose(tf.matMul(tf.softmax(scores), v), [0, 2, 1, 3]).reshape([batch, seq, cfg.dim]);
      x = tf.add(x, linear(att, `layers.${l}.attn.o`, 'o'));
      const h2 = rms(x, get(`layers.${l}.ffn_norm`));
      const gate = linear(h2, `layers.${l}.mlp.gate`, 'gate');
      const act = tf.mul(tf.mul(gate, tf.sigmoid(gate)), linear(h2, `layers.${l}.mlp.up`, 'up'));
      x = tf.add(x, linear(act, `layers.${l}.mlp.down`, 'down'));
    }
    const hidden = rms(x, get('norm'));
    const logits = tf
      .matMul(hidden.reshape([-1, cfg.dim]), get('lm_head') as tf.Tensor2D)
      .reshape([batch, seq, cfg.vocab]);
    const shifted = logits.slice([0, 0, 0], [batch, seq - 1, cfg.vocab]).reshape([-1, cfg.vocab]);
    const logp = tf.logSoftmax(shifted);
    const picked = tf.sum(tf.mul(logp, tf.oneHot(labels, cfg.vocab).toFloat()), -1);
    return tf.neg(tf.div(tf.sum(tf.mul(picked, mask)), tf.maximum(tf.sum(mask), 1))) as tf.Scalar;
  };

  return {
    step(idsData, labelsData) {
      return tf.tidy(() => {
        const ids = tf.tensor2d(Int32Array.from(idsData, Number), [batch, seq], 'int32');
        const next = Int32Array.from({ length: batch * (seq - 1) }, (_, i) =>
          Number(labelsData[Math.floor(i / (seq - 1)) * seq + (i % (seq - 1)) + 1]),
        );
        const mask = tf.tensor1d(Float32Array.from(next, (v) => (v === -100 ? 0 : 1)));
        const labels = tf.tensor1d(
          Int32Array.from(next, (v) => (v === -100 ? 0 : v)),
          'int32',
        );
        const { value, grads } = tf.variableGrads(loss(ids, labels, mask), [...vars.values()]);
        optimizer.applyGradients(grads as tf.NamedTensorMap as Parameters<typeof optimizer.applyGradients>[0]);
        return value.dataSync()[0];
      });
    },
    dispose() {
      for (const t of [...vars.values(), ...consts.values(), cosT, sinT, causal, maskAdd]) t.dispose();
      optimizer.dispose();
    },
  };
}
