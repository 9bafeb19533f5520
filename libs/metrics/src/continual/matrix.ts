/**
 * The results matrix of a continual run: a[j][i] = score on task i after stage j (0-based).
 * Lower-triangular (row j has j+1 entries) or full square; `null` marks a missing evaluation.
 */
import { CoinError } from '@coin/core';

export type Cell = number | null;

export interface ResultsMatrix {
  readonly tasks: readonly string[];
  /** rows[j][i]; rows[j].length is j+1 (lower-triangular) or T (square). */
  readonly rows: readonly (readonly Cell[])[];
}

/** What matrix.json may hold besides the accuracy matrix. */
export interface MatrixFile {
  readonly accuracy: ResultsMatrix;
  /** Zero-shot scores of the base model per task (for forward transfer). */
  readonly zeroShot?: readonly Cell[];
  /** General-Knowledge (judge) scores, same shape. */
  readonly judge?: ResultsMatrix;
  readonly judgeZeroShot?: readonly Cell[];
}

const SHAPE_HINT =
  'expected {"tasks": [...], "matrix": [[a00], [a10, a11], ...]} with optional "zero_shot", "judge", "judge_zero_shot"';

function bad(file: string, message: string, hint = SHAPE_HINT): CoinError {
  return new CoinError('METRICS.BAD_MATRIX', 'INVALID_ARGUMENT', `${file}: ${message}`, { hint, details: { file } });
}

/** Scores are percentages, as CoIN's scorers print them (docs/protocol.md): 0 to 100. */
const MIN_SCORE = 0;
const MAX_SCORE = 100;

function cells(value: unknown, file: string, what: string, length: number): Cell[] {
  if (!Array.isArray(value) || value.length !== length)
    throw bad(file, `${what} must be a list of ${length} numbers (or null)`);
  return value.map((x, k) => {
    if (x === null) return null;
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw bad(file, `${what}[${k}] must be a finite number or null, got ${JSON.stringify(x)}`);
    if (x < MIN_SCORE || x > MAX_SCORE)
      throw bad(
        file,
        `${what}[${k}] must be a score from ${MIN_SCORE} to ${MAX_SCORE}, got ${x}`,
        'scores are percentages, e.g. 87.5 for 87.5% (null marks a stage that was not evaluated)',
      );
    return x;
  });
}

/** The first name that occurs twice, if any. */
function duplicateOf(names: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) return n;
    seen.add(n);
  }
  return undefined;
}

function rowsOf(value: unknown, file: string, key: string, t: number): Cell[][] {
  if (!Array.isArray(value) || value.length !== t) throw bad(file, `"${key}" must have one row per task (${t})`);
  const square = value.every((r) => Array.isArray(r) && r.length === t);
  return value.map((r, j) => cells(r, file, `${key}[${j}]`, square ? t : j + 1));
}

export function parseMatrixFile(value: unknown, file: string): MatrixFile {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad(file, 'the file must hold a JSON object');
  const o = value as Record<string, unknown>;
  const known = new Set(['tasks', 'matrix', 'zero_shot', 'judge', 'judge_zero_shot']);
  for (const k of Object.keys(o)) if (!known.has(k)) throw bad(file, `unknown key "${k}"`);
  const tasks = o.tasks;
  if (!Array.isArray(tasks) || tasks.length === 0 || !tasks.every((x) => typeof x === 'string'))
    throw bad(file, '"tasks" must be a non-empty list of task names');
  const twice = duplicateOf(tasks);
  if (twice !== undefined)
    throw bad(file, `task "${twice}" appears twice in "tasks"`, 'each task is trained once: one name per stage');
  const t = tasks.length;
  return {
    accuracy: { tasks, rows: rowsOf(o.matrix, file, 'matrix', t) },
    zeroShot: o.zero_shot === undefined ? undefined : cells(o.zero_shot, file, 'zero_shot', t),
    judge: o.judge === undefined ? undefined : { tasks, rows: rowsOf(o.judge, file, 'judge', t) },
    judgeZeroShot: o.judge_zero_shot === undefined ? undefined : cells(o.judge_zero_shot, file, 'judge_zero_shot', t),
  };
}

/** a[j][i], or null when not evaluated (above the diagonal of a lower-triangular matrix). */
export function cell(m: ResultsMatrix, j: number, i: number): Cell {
  return m.rows[j]?.[i] ?? null;
}

/** The matrix restricted to some tasks (and their stages), e.g. CoIN's tasks 2-8 without ScienceQA. */
export function selectTasks(m: ResultsMatrix, names: readonly string[]): ResultsMatrix {
  const twice = duplicateOf(names);
  if (names.length === 0 || twice !== undefined)
    throw new CoinError(
      'METRICS.BAD_TASKS',
      'INVALID_ARGUMENT',
      twice === undefined ? 'the task selection is empty' : `task "${twice}" appears twice in the task selection`,
      { hint: `name each task once, from: ${m.tasks.join(', ')}` },
    );
  const idx = names.map((n) => {
    const k = m.tasks.indexOf(n);
    if (k < 0)
      throw new CoinError('METRICS.UNKNOWN_TASK', 'INVALID_ARGUMENT', `task "${n}" is not in the matrix`, {
        hint: `tasks: ${m.tasks.join(', ')}`,
      });
    return k;
  });
  const sorted = [...idx].sort((a, b) => a - b);
  const square = m.rows.every((r) => r.length === m.tasks.length);
  return {
    tasks: sorted.map((k) => m.tasks[k]),
    rows: sorted.map((j, jj) => sorted.slice(0, square ? sorted.length : jj + 1).map((i) => cell(m, j, i))),
  };
}

export function selectCells(
  row: readonly Cell[] | undefined,
  m: ResultsMatrix,
  names: readonly string[],
): Cell[] | undefined {
  if (!row) return undefined;
  return names
    .map((n) => m.tasks.indexOf(n))
    .sort((a, b) => a - b)
    .map((k) => row[k]);
}

/** One run of a continual experiment: where it came from and the tasks it covers. */
export interface RunTasks {
  readonly file: string;
  readonly tasks: readonly string[];
}

/**
 * Aggregation over seeds and task orders compares runs of the same tasks; runs of different tasks
 * would average unrelated numbers. The order may differ, the set may not.
 */
export function checkSameTasks(runs: readonly RunTasks[]): void {
  const [first, ...rest] = runs;
  const key = (r: RunTasks): string => JSON.stringify([...r.tasks].sort());
  const other = rest.find((r) => key(r) !== key(first));
  if (!other) return;
  throw new CoinError(
    'METRICS.TASKS_DIFFER',
    'INVALID_ARGUMENT',
    `cannot aggregate runs of different tasks: ${other.file} has tasks ${other.tasks.join(', ')} but ${first.file} has ${first.tasks.join(', ')}`,
    { hint: 'aggregate runs of the same tasks (in any order), or pick the common ones with --tasks' },
  );
}
