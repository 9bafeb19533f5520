import { join } from 'node:path';
import { CoinError } from '@coin/core';
import { type CoinTask, type ImageTensorCache, type InstructionVariant, type TestRecord } from '@coin/data';
import {
  EVAL_SETTINGS,
  evalSharedPrefix,
  Generator,
  imageTokens,
  postprocessGeneration,
  type PromptBatch,
  type Tokenizer,
} from '@coin/model';
import type { SessionOptions } from '@coin/runtime';
import { type AnswerLine, answerIds, writeMergeFile } from './answer-records.js';
import { type EvalBatch, hasImages, loadBatch, planBatches } from './eval-batches.js';
import { EvalImages } from './eval-images.js';
import type { StageModel } from './stage-model.js';
import { readTestItems } from './test-items.js';

export const MERGE_FILE = 'merge.jsonl';
export const DEFAULT_EVAL_BATCH = 16;

export interface StageEvaluatorOptions {
  /** Generator batch size (default 16): every batch runs at this size, the last one padded. */
  readonly batch?: number;
  readonly session?: SessionOptions;
  /**
   * Preprocessed images kept on disk across evaluations: a task is evaluated after every stage
   * from its own on, and with a cache its images are decoded once per run instead of each time.
   */
  readonly imageCache?: ImageTensorCache;
}

export interface EvaluateOptions {
  /** A folder `coin prep` wrote: instruction files and `cl_dataset/`. */
  readonly dataDir: string;
  /** Instruction variant of the test file (default original). */
  readonly variant?: InstructionVariant;
  /** Evaluate only the first N test items. */
  readonly testLimit?: number;
  /** Seeds the answer ids. */
  readonly seed: number;
  /** `model_id` of every answer: the checkpoint's folder name. */
  readonly modelId: string;
  /** Folder that receives `merge.jsonl`. */
  readonly out: string;
  /** Stops between batches; nothing is written then. */
  readonly signal?: AbortSignal;
  /** After every batch: items answered so far, of `total`. */
  readonly onBatch?: (done: number, total: number) => void;
}

export interface TaskEvaluation {
  /** The `merge.jsonl` written. */
  readonly file: string;
  /** Answers written: the test items evaluated. */
  readonly count: number;
  /** New tokens generated for the answers (end tokens and padding rows not counted). */
  readonly newTokens: number;
  /** Items whose new-token limit was cut below CoIN's to fit the model's positions. */
  readonly capped: number;
  /** Items that stopped at their new-token limit instead of an end token (answers perhaps cut short). */
  readonly atLimit: number;
  /** The whole evaluation: reading, prompts, images, decoding, writing. */
  readonly wall_s: number;
  /** Time inside the generator. */
  readonly decode_s: number;
}

/**
 * Evaluates tasks with one stage's model (docs/protocol.md#evaluation-runner). Generators are
 * expensive to build, so it keeps one per kind (with images; text only, for batches of ScienceQA's
 * text-only items) for every task of the stage. Evaluations run one at a time.
 */
export class StageEvaluator {
  private readonly generators = new Map<boolean, Promise<Generator>>();
  private readonly sharedPrefix: number[];
  private queue: Promise<unknown> = Promise.resolve();
  private released = false;

  private constructor(
    private readonly model: StageModel,
    private readonly tokenizer: Tokenizer,
    private readonly batch: number,
    private readonly session: SessionOptions | undefined,
    private readonly imageCache: ImageTensorCache | undefined,
  ) {
    this.sharedPrefix = evalSharedPrefix(tokenizer);
  }

  static async create(model: StageModel, tokenizer: Tokenizer, o: StageEvaluatorOptions = {}): Promise<StageEvaluator> {
    const batch = o.batch ?? DEFAULT_EVAL_BATCH;
    if (!Number.isInteger(batch) || batch < 1)
      throw new CoinError(
        'EVAL.BAD_OPTIONS',
        'INVALID_ARGUMENT',
        `batch must be a positive whole number, got ${batch}`,
      );
    if (tokenizer.vocabSize > model.config.decoder.vocab)
      throw new CoinError(
        'EVAL.BAD_OPTIONS',
        'INVALID_ARGUMENT',
        `the tokenizer has ${tokenizer.vocabSize} ids, the model's vocabulary ${model.config.decoder.vocab}`,
        { hint: "evaluate with the base model's own tokenizer" },
      );
    const evaluator = new StageEvaluator(model, tokenizer, batch, o.session, o.imageCache);
    await evaluator.generator(true);
    return evaluator;
  }

  /** Evaluates one task into `<out>/merge.jsonl`. */
  evaluate(task: CoinTask, o: EvaluateOptions): Promise<TaskEvaluation> {
    const run = this.queue.then(() => this.run(task, o));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The task's generator batches, as `evaluate` runs them (for benchmarks that time the bare generator on them). */
  async batches(
    task: CoinTask,
    o: Pick<EvaluateOptions, 'dataDir' | 'variant' | 'testLimit'>,
  ): Promise<{ records: TestRecord[]; batches: EvalBatch[]; inputs: PromptBatch[] }> {
    const records = await readTestItems(o.dataDir, o.variant ?? 'original', task, o.testLimit);
    const batches = this.plan(task, records);
    const images = this.images(o.dataDir, task);
    const inputs = await Promise.all(batches.map((b) => loadBatch(b, images, this.model.config.vision.imageSize)));
    return { records, batches, inputs };
  }

  async release(): Promise<void> {
    this.released = true;
    await this.queue;
    const all = await Promise.allSettled(this.generators.values());
    this.generators.clear();
    await Promise.all(all.map((g) => (g.status === 'fulfilled' ? g.value.release() : undefined)));
  }

  private async run(task: CoinTask, o: EvaluateOptions): Promise<TaskEvaluation> {
    if (this.released) throw new CoinError('EVAL.RELEASED', 'FAILED_PRECONDITION', 'this evaluator was released');
    const t0 = performance.now();
    o.signal?.throwIfAborted();
    const records = await readTestItems(o.dataDir, o.variant ?? 'original', task, o.testLimit);
    const batches = this.plan(task, records);
    const images = this.images(o.dataDir, task);
    const size = this.model.config.vision.imageSize;
    const texts: string[] = [];
    let decodeMs = 0;
    let newTokens = 0;
    let capped = 0;
    let atLimit = 0;
    // The next batch's images are read and preprocessed while the current one decodes.
    let next = settle(loadBatch(batches[0], images, size));
    for (let k = 0; k < batches.length; k++) {
      const b = batches[k];
      const input = await next;
      if (k + 1 < batches.length) next = settle(loadBatch(batches[k + 1], images, size));
      o.signal?.throwIfAborted();
      const generator = await this.generator(hasImages(b));
      const d0 = performance.now();
      const ids = await generator.generate(input, b.maxNewTokens);
      decodeMs += performance.now() - d0;
      for (const row of ids.slice(0, b.real)) {
        texts.push(postprocessGeneration(this.tokenizer, row));
        newTokens += row.length;
        if (row.length === b.maxNewTokens) atLimit++;
      }
      if (b.capped) capped += b.real;
      o.onBatch?.(b.start + b.real, records.length);
    }
    o.signal?.throwIfAborted();
    const ids = answerIds(o.seed, task, o.modelId, records.length);
    const lines: AnswerLine[] = records.map((record, i) => ({ record, text: texts[i], answerId: ids[i] }));
    const file = join(o.out, MERGE_FILE);
    await writeMergeFile(file, lines, o.modelId);
    const wall = (performance.now() - t0) / 1000;
    return { file, count: records.length, newTokens, capped, atLimit, wall_s: wall, decode_s: decodeMs / 1000 };
  }

  private plan(task: CoinTask, records: readonly TestRecord[]): EvalBatch[] {
    if (records.length === 0)
      throw new CoinError('EVAL.NO_ITEMS', 'FAILED_PRECONDITION', `the ${task} test file holds no items`, {
        hint: 'prepare the task again with `coin prep`',
      });
    const { decoder, vision } = this.model.config;
    return planBatches(records, this.tokenizer, {
      task,
      batch: this.batch,
      maxSeq: decoder.maxSeq,
      imageTokens: imageTokens(vision),
    });
  }

  private images(dataDir: string, task: CoinTask): EvalImages {
    const { imageSize } = this.model.config.vision;
    return new EvalImages(dataDir, imageSize, EVAL_SETTINGS[task].imageMode, this.imageCache);
  }

  private generator(withImages: boolean): Promise<Generator> {
    let g = this.generators.get(withImages);
    if (!g) {
      g = Generator.create({
        config: this.model.config,
        weights: this.model.weights,
        adapter: this.model.adapter,
        batch: this.batch,
        withImages,
        eosId: this.tokenizer.eosId,
        padId: this.tokenizer.padId,
        session: this.session,
        sharedPrefix: this.sharedPrefix,
      });
      this.generators.set(withImages, g);
      g.catch(() => this.generators.delete(withImages));
    }
    return g;
  }
}

/** A promise whose rejection is handled now and rethrown when it is awaited (prefetching). */
function settle<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}
