/**
 * results.json: the protocol record of one `coin run` (docs/file-formats.md#results-json). Matrices
 * are a[j][i] = score (0–100) on task i after stage j, 0-based, `null` where not evaluated; rows
 * are lower-triangular unless the run evaluated the full matrix (then square).
 */
export const RESULTS_FORMAT = 'coin-results/1';

export type Cell = number | null;

/** The continual metrics of one matrix (MFN: MCITlib's mean final accuracy, the last row's mean). */
export interface MetricsRecord {
  readonly MAA: Cell;
  readonly BWT: Cell;
  readonly final_average: Cell;
  readonly MFT: Cell;
  readonly MFN: Cell;
  readonly forgetting: Cell;
  /** Only with the full matrix and a zero-shot row. */
  readonly FWT?: Cell;
}

export interface UnitRecord {
  readonly key: string;
  /** prep, pretrain, stage, eval, judge. */
  readonly kind: string;
  /** Human label: `stage 3 ImageNet`, `eval 3/TextVQA`. */
  readonly label: string;
  readonly wall_s: number;
  readonly peak_rss_mb: number | null;
  /** True when the unit's output was already in the store (nothing computed this run). */
  readonly cached: boolean;
}

export interface EnvironmentRecord {
  readonly node: string;
  readonly ort: string;
  readonly execution_provider: string;
  readonly threads: number | null;
  readonly cpu: string;
  readonly cpus: number;
  readonly platform: string;
  readonly code_version: string;
}

export interface RunResults {
  readonly format: typeof RESULTS_FORMAT;
  readonly run_id: string;
  /** The run spec as resolved (every default filled in). */
  readonly spec: Readonly<Record<string, unknown>>;
  /** The method's name (lora, moelora, …) and a label for tables (`lora`, `moelora E=4`). */
  readonly method: string;
  readonly label: string;
  readonly seed: number;
  readonly tasks: readonly string[];
  readonly accuracy: {
    /** The fidelity the matrix was scored in (the spec's); `strict_matrix`/`coin_matrix` hold the other. */
    readonly fidelity: 'coin' | 'strict';
    readonly matrix: readonly (readonly Cell[])[];
    readonly other_matrix: readonly (readonly Cell[])[];
    /** The base model's score per task (the zero-shot row), when the run evaluated it. */
    readonly zero_shot?: readonly Cell[];
  };
  readonly judge: {
    /** `rubric` or `openai`. */
    readonly backend: string;
    /** What judged: `rubric` or the model name. */
    readonly label: string;
    readonly matrix: readonly (readonly Cell[])[];
    readonly zero_shot?: readonly Cell[];
    readonly parse_failures: number;
    readonly refusals: number;
  };
  readonly metrics: { readonly accuracy: MetricsRecord; readonly judge: MetricsRecord };
  readonly environment: EnvironmentRecord;
  /** Per stage: wall time and peak RSS of its training unit (for the time/memory chart). */
  readonly stages: readonly {
    readonly stage: number;
    readonly name: string;
    readonly train_s: number;
    readonly eval_s: number;
    readonly peak_rss_mb: number | null;
  }[];
  readonly units: readonly UnitRecord[];
  readonly timings: { readonly total_s: number; readonly started_at: string; readonly finished_at: string };
}
