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

function bad(file: string, message: string): CoinError {
  return new CoinError('METRICS.BAD_MATRIX', 'INVALID_ARGUMENT', `${file}: ${message}`, {
    hint: 'expected {"tasks": [...], "matrix": [[a00], [a10, a11], ...]} with optional "zero_shot", "judge", "judge_zero_shot"',
    details: { file },
  });
}

function cells(value: unknown, file: string, what: string, length: number): Cell[] {
  if (!Array.isArray(value) || value.length !== length)
    throw bad(file, `${what} must be a list of ${length} numbers (or null)`);
  return value.map((x, k) => {
    if (x === null) return null;
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw bad(file, `${what}[${k}] must be a finite number or null, got ${JSON.stringify(x)}`);
    return x;
  });
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
