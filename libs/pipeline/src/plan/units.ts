/**
 * The units a run is made of (docs/protocol.md#coin-run): the synthetic world, the base model, the
 * training stages, the evaluation cells and the judge cells. Each has a deterministic key (the hash
 * of its inputs and the code version) and a place in the store named by it, so runs that share a
 * prefix (same world, same base, same first stages) share those units, and a unit whose manifest
 * exists is never computed again.
 */
import type { CoinTask, SynthOptions } from '@coin/data';

/** Bumped whenever a unit's output would change for the same inputs. */
export const UNITS_CODE_VERSION = 'coin-ts/units-2';

interface UnitBase {
  readonly key: string;
  /** Where its output lives in the store: `<kind folder>/<key>`. */
  readonly prefix: string;
  readonly label: string;
}

export interface PrepUnit extends UnitBase {
  readonly kind: 'prep';
  readonly world: SynthOptions;
}

export interface PretrainUnit extends UnitBase {
  readonly kind: 'pretrain';
  readonly preset: string;
  /** The prep unit whose world the base is pretrained on. */
  readonly world: PrepUnit;
  readonly steps?: number;
}

/** A base given as a folder (`--base DIR`): nothing to compute, keyed by its content. */
export interface GivenBaseUnit extends UnitBase {
  readonly kind: 'base';
  readonly dir: string;
}

export interface StageUnit extends UnitBase {
  readonly kind: 'stage';
  /** 1-based index into the method's plan. */
  readonly index: number;
  readonly name: string;
  readonly tasks: readonly string[];
  readonly train: boolean;
  /** The row of the results matrix this stage's evaluations fill (0-based). */
  readonly row: number;
  /** Keys of the stages before it, in order (their checkpoints are loaded first). */
  readonly previous: readonly StageUnit[];
}

export interface EvalUnit extends UnitBase {
  readonly kind: 'eval';
  /** The stage evaluated, or undefined for the base model (the zero-shot row). */
  readonly stage?: StageUnit;
  /** Matrix row (−1 for the zero-shot row) and column. */
  readonly row: number;
  readonly column: number;
  readonly task: CoinTask;
}

export interface JudgeUnit extends UnitBase {
  readonly kind: 'judge';
  readonly eval: EvalUnit;
}

export type Unit = PrepUnit | PretrainUnit | GivenBaseUnit | StageUnit | EvalUnit | JudgeUnit;

export interface RunPlan {
  readonly runId: string;
  /** The run's world (instruction variant and fraction applied). */
  readonly world: PrepUnit;
  /** The world the base is pretrained on, when it is not the run's (another variant or fraction). */
  readonly pretrainWorld?: PrepUnit;
  readonly base: PretrainUnit | GivenBaseUnit;
  readonly stages: readonly StageUnit[];
  /** Per stage (same order), its evaluation cells; `zeroShot` the base's, when evaluated. */
  readonly evals: readonly (readonly EvalUnit[])[];
  readonly zeroShot: readonly EvalUnit[];
  readonly judges: readonly JudgeUnit[];
}
