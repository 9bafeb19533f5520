/**
 * The evaluator's last loaded model (an LRU of one): eval requests name one cell each, and the cells
 * of one model arrive one after another, so keeping the model loaded between them saves a load per
 * cell (docs/protocol.md#runs-over-the-event-bus). A request for another model releases it first.
 */
import { type EvalModel, evalModelKey, type EvalModelSource, openEvalModel } from '../units/eval.js';
import type { UnitEnv } from '../units/unit-env.js';

export class EvalModelCache {
  private held: { readonly key: string; readonly model: Promise<EvalModel> } | undefined;

  /** The model of `source`, loaded now (`loadSeconds` > 0) or kept from the previous cell. */
  async get(source: EvalModelSource, env: UnitEnv): Promise<{ model: EvalModel; loadSeconds: number }> {
    const key = evalModelKey(source);
    if (this.held?.key === key) return { model: await this.held.model, loadSeconds: 0 };
    await this.release();
    const started = performance.now();
    const model = openEvalModel(source, env);
    this.held = { key, model };
    try {
      return { model: await model, loadSeconds: (performance.now() - started) / 1000 };
    } catch (e) {
      if (this.held?.model === model) this.held = undefined;
      throw e;
    }
  }

  async release(): Promise<void> {
    const held = this.held;
    this.held = undefined;
    if (held) await (await held.model.catch(() => undefined))?.release();
  }
}
