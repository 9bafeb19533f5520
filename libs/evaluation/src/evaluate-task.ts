import type { CoinTask, ImageTensorCache } from '@coin/data';
import type { Tokenizer } from '@coin/model';
import type { SessionOptions } from '@coin/runtime';
import { type EvaluateOptions, StageEvaluator, type TaskEvaluation } from './stage-evaluator.js';
import type { StageModel } from './stage-model.js';

export interface EvaluateTaskOptions extends EvaluateOptions {
  readonly model: StageModel;
  readonly tokenizer: Tokenizer;
  readonly task: CoinTask;
  /** Generator batch size (default 16). */
  readonly batch?: number;
  readonly session?: SessionOptions;
  readonly imageCache?: ImageTensorCache;
}

/**
 * One evaluation cell: a task's test items through one stage's model into `<out>/merge.jsonl`. It
 * builds its own generator; evaluating several tasks of a stage, use one StageEvaluator instead.
 */
export async function evaluateTask(o: EvaluateTaskOptions): Promise<TaskEvaluation> {
  const evaluator = await StageEvaluator.create(o.model, o.tokenizer, {
    batch: o.batch,
    session: o.session,
    imageCache: o.imageCache,
  });
  try {
    return await evaluator.evaluate(o.task, o);
  } finally {
    await evaluator.release();
  }
}
