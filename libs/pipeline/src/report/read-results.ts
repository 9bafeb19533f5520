/**
 * Reading results.json (docs/file-formats.md#results-json): every field the report uses is checked,
 * and a bad one is REPORT.BAD_RESULTS naming the file and the field, so that a hand-edited or
 * truncated file is answered with what to fix, never with NaN in a chart. Keys the report does not
 * read are kept as they are (a newer writer may add some); `format` says which shape to expect.
 */
import { readFile } from 'node:fs/promises';
import { CoinError, isObject } from '@coin/core';
import {
  type Cell,
  type EnvironmentRecord,
  type MetricsRecord,
  RESULTS_FORMAT,
  type RunResults,
  type UnitRecord,
} from '../results/results.js';
import { RECORD_METRICS } from './metrics-record.js';

type Json = Record<string, unknown>;

function bad(file: string, field: string, message: string, hint?: string): CoinError {
  return new CoinError('REPORT.BAD_RESULTS', 'INVALID_ARGUMENT', `${file}: ${field} ${message}`, {
    hint: hint ?? 'results.json is written by `coin run`; run it again, or fix the field by hand',
    details: { file, field },
  });
}

/** Reads fields of one JSON object, naming the file and the field's path in every error. */
class Fields {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly value: Json,
  ) {}

  private name(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  private fail(key: string, message: string, hint?: string): CoinError {
    return bad(this.file, this.name(key), message, hint);
  }

  object(key: string): Fields {
    const v = this.value[key];
    if (!isObject(v)) throw this.fail(key, 'must be an object');
    return new Fields(this.file, this.name(key), v);
  }

  string(key: string): string {
    const v = this.value[key];
    if (typeof v !== 'string') throw this.fail(key, `must be a string, got ${JSON.stringify(v) ?? 'nothing'}`);
    return v;
  }

  number(key: string, min = -Infinity): number {
    const v = this.value[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min)
      throw this.fail(
        key,
        `must be a finite number${min > -Infinity ? ` ≥ ${min}` : ''}, got ${JSON.stringify(v) ?? 'nothing'}`,
      );
    return v;
  }

  integer(key: string, min = -Infinity): number {
    const v = this.number(key, min);
    if (!Number.isSafeInteger(v)) throw this.fail(key, `must be an integer, got ${v}`);
    return v;
  }

  numberOrNull(key: string, min = -Infinity): number | null {
    return this.value[key] === null ? null : this.number(key, min);
  }

  integerOrNull(key: string, min = -Infinity): number | null {
    return this.value[key] === null ? null : this.integer(key, min);
  }

  boolean(key: string): boolean {
    const v = this.value[key];
    if (typeof v !== 'boolean') throw this.fail(key, `must be true or false, got ${JSON.stringify(v) ?? 'nothing'}`);
    return v;
  }

  array(key: string): unknown[] {
    const v = this.value[key];
    if (!Array.isArray(v)) throw this.fail(key, 'must be a list');
    return v;
  }

  /** A list of objects, each read by `read`. */
  list<T>(key: string, read: (item: Fields) => T): T[] {
    return this.array(key).map((item, k) => {
      const at = `${this.name(key)}[${k}]`;
      if (!isObject(item)) throw bad(this.file, at, 'must be an object');
      return read(new Fields(this.file, at, item));
    });
  }

  has(key: string): boolean {
    return this.value[key] !== undefined;
  }

  /** Scores are percentages (docs/protocol.md#continual-metrics): 0 to 100, or null. */
  cells(key: string, length: number): Cell[] {
    const v = this.array(key);
    if (v.length !== length) throw this.fail(key, `must have ${length} cells, got ${v.length}`);
    return v.map((x, k) => score(this.file, `${this.name(key)}[${k}]`, x));
  }

  /**
   * A results matrix over `t` tasks: up to t rows, either every row j holding j+1 cells
   * (lower-triangular) or every row holding t (the full matrix; a multitask run has one such row).
   */
  matrix(key: string, t: number, minRows: number): Cell[][] {
    const rows = this.array(key);
    const at = this.name(key);
    if (rows.length < minRows || rows.length > t)
      throw bad(
        this.file,
        at,
        `must have ${minRows === t ? t : `${minRows} to ${t}`} rows (one per stage), got ${rows.length}`,
      );
    const full = rows.every((r) => Array.isArray(r) && r.length === t);
    return rows.map((r, j) => {
      const width = full ? t : j + 1;
      if (!Array.isArray(r) || r.length !== width)
        throw bad(
          this.file,
          `${at}[${j}]`,
          `must have ${width} cells, got ${Array.isArray(r) ? r.length : JSON.stringify(r)}`,
          `row j holds j+1 cells (lower-triangular) or every row holds all ${t} tasks`,
        );
      return r.map((x, i) => score(this.file, `${at}[${j}][${i}]`, x));
    });
  }
}

function score(file: string, field: string, x: unknown): Cell {
  if (x === null) return null;
  if (typeof x !== 'number' || !Number.isFinite(x) || x < 0 || x > 100)
    throw bad(
      file,
      field,
      `must be a score from 0 to 100 or null, got ${JSON.stringify(x) ?? 'nothing'}`,
      'scores are percentages, e.g. 87.5; null marks a cell that was not evaluated',
    );
  return x;
}

function metrics(f: Fields): MetricsRecord {
  const out: Partial<Record<string, Cell>> = {};
  for (const k of RECORD_METRICS) {
    if (k === 'FWT' && !f.has(k)) continue;
    out[k] = f.numberOrNull(k);
  }
  return out as unknown as MetricsRecord;
}

function environment(f: Fields): EnvironmentRecord {
  return {
    node: f.string('node'),
    ort: f.string('ort'),
    execution_provider: f.string('execution_provider'),
    threads: f.integerOrNull('threads', 0),
    cpu: f.string('cpu'),
    cpus: f.integer('cpus', 0),
    platform: f.string('platform'),
    code_version: f.string('code_version'),
  };
}

function unit(f: Fields): UnitRecord {
  return {
    key: f.string('key'),
    kind: f.string('kind'),
    label: f.string('label'),
    wall_s: f.number('wall_s', 0),
    peak_rss_mb: f.numberOrNull('peak_rss_mb', 0),
    cached: f.boolean('cached'),
  };
}

function taskNames(f: Fields): string[] {
  const tasks = f.array('tasks');
  if (tasks.length === 0) throw bad(f.file, 'tasks', 'must name at least one task');
  tasks.forEach((t, k) => {
    if (typeof t !== 'string' || t === '') throw bad(f.file, `tasks[${k}]`, 'must be a task name');
    if (tasks.indexOf(t) !== k) throw bad(f.file, `tasks[${k}]`, `names "${t}" a second time`);
  });
  return tasks as string[];
}

/** Checks a parsed results.json; `file` names it in errors. */
export function parseResults(value: unknown, file: string): RunResults {
  if (!isObject(value)) throw bad(file, 'the file', 'must hold a JSON object');
  const f = new Fields(file, '', value);
  const format = value.format;
  if (format !== RESULTS_FORMAT)
    throw bad(
      file,
      'format',
      `must be "${RESULTS_FORMAT}", got ${JSON.stringify(format) ?? 'nothing'}`,
      'is this a results.json written by `coin run`? (a matrix.json goes to `coin metrics --matrix`)',
    );
  const tasks = taskNames(f);
  const t = tasks.length;
  const acc = f.object('accuracy');
  const fidelity = acc.string('fidelity');
  if (fidelity !== 'coin' && fidelity !== 'strict')
    throw bad(file, 'accuracy.fidelity', `must be "coin" or "strict", got "${fidelity}"`);
  const matrix = acc.matrix('matrix', t, 1);
  const judge = f.object('judge');
  const stages = f.list('stages', (s) => ({
    stage: s.integer('stage', 0),
    name: s.string('name'),
    train_s: s.number('train_s', 0),
    eval_s: s.number('eval_s', 0),
    peak_rss_mb: s.numberOrNull('peak_rss_mb', 0),
  }));
  if (stages.length !== matrix.length)
    throw bad(
      file,
      'stages',
      `must have one entry per row of accuracy.matrix (${matrix.length}), got ${stages.length}`,
    );
  const m = f.object('metrics');
  const timings = f.object('timings');
  const spec = f.object('spec');
  return {
    format: RESULTS_FORMAT,
    run_id: f.string('run_id'),
    spec: spec.value,
    method: f.string('method'),
    label: f.string('label'),
    seed: f.integer('seed'),
    tasks,
    accuracy: {
      fidelity,
      matrix,
      other_matrix: acc.matrix('other_matrix', t, 0),
      ...(acc.has('zero_shot') ? { zero_shot: acc.cells('zero_shot', t) } : {}),
    },
    judge: {
      backend: judge.string('backend'),
      label: judge.string('label'),
      matrix: judge.matrix('matrix', t, 0),
      ...(judge.has('zero_shot') ? { zero_shot: judge.cells('zero_shot', t) } : {}),
      parse_failures: judge.integer('parse_failures', 0),
      refusals: judge.integer('refusals', 0),
    },
    metrics: { accuracy: metrics(m.object('accuracy')), judge: metrics(m.object('judge')) },
    environment: environment(f.object('environment')),
    stages,
    units: f.list('units', unit),
    timings: {
      total_s: timings.number('total_s', 0),
      started_at: timings.string('started_at'),
      finished_at: timings.string('finished_at'),
    },
  };
}

/** Reads and checks one results.json. */
export async function readResults(file: string): Promise<RunResults> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new CoinError(
      'REPORT.NOT_READABLE',
      code === 'ENOENT' ? 'NOT_FOUND' : 'INVALID_ARGUMENT',
      `cannot read ${file} (${code})`,
      {
        hint: 'give a results.json, the run folder holding it, or a folder of run folders',
        details: { file },
      },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw bad(
      file,
      'the file',
      `is not valid JSON: ${(e as Error).message}`,
      'fix the JSON at the position shown, or write the file again with `coin run`',
    );
  }
  return parseResults(value, file);
}
