/**
 * Reading fields of JSON-born values with the error the Python scripts would hit, turned into a
 * CoinError that names the file, the line and the key.
 */
import { isDict, pyKey, pyRepr, type PyDict, type PyValue } from '../python/json.js';
import { badInput, type Source } from './errors.js';

function asDict(v: PyValue, src: Source, what: string): PyDict {
  if (!isDict(v)) throw badInput(src, `${what} must be a JSON object, got ${typeName(v)}`, 'crash with TypeError');
  return v;
}

export function asList(v: PyValue, src: Source, what: string): PyValue[] {
  if (!Array.isArray(v))
    throw badInput(src, `${what} must be a JSON array, got ${typeName(v)}`, 'crash with TypeError');
  return v;
}

/** `d[key]` on a dict: KeyError if absent. */
export function field(v: PyValue, key: string, src: Source, what: string): PyValue {
  const d = asDict(v, src, what);
  if (!d.has(key)) throw badInput(src, `${what} has no "${key}" field`, `crash with KeyError: '${key}'`);
  return d.get(key)!;
}

/** A field that Python then uses as a str (calls a str method on it). */
export function strField(v: PyValue, key: string, src: Source, what: string): string {
  const x = field(v, key, src, what);
  if (typeof x !== 'string')
    throw badInput(
      src,
      `"${key}" of ${what} must be a string, got ${typeName(x)} ${short(x)}`,
      'crash with AttributeError/TypeError',
    );
  return x;
}

/** A dict key for a JSON value used as `d[value]`; unhashable values crash in Python. */
export function hashKey(v: PyValue, src: Source, what: string): string {
  const k = pyKey(v);
  if (k === undefined)
    throw badInput(
      src,
      `${what} must be a string or number, got ${typeName(v)}`,
      'crash with TypeError: unhashable type',
    );
  return k;
}

export function typeName(v: PyValue): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'str';
  return Array.isArray(v) ? 'list' : 'dict';
}

/** A value shortened for a message. */
export function short(v: PyValue): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : pyRepr(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * Indexes a JSON list of items (a test or annotation file) by their question_id, under the key
 * `keyOf` gives (how each CoIN script compares ids differs: hashed as is, or as `str()`).
 */
export function indexByQuestionId(
  items: PyValue,
  src: Source,
  listWhat: string,
  itemWhat: string,
  keyOf: (id: PyValue) => string,
): Map<string, PyValue> {
  const byId = new Map<string, PyValue>();
  asList(items, src, listWhat).forEach((item, k) =>
    byId.set(keyOf(field(item, 'question_id', src, `${itemWhat} #${k}`)), item),
  );
  return byId;
}
