/**
 * JSON exactly as Python's `json` module reads and writes it, because the CoIN scorers' behaviour
 * depends on it: ints and floats stay distinct (`str(1.0)` is "1.0", `str(1)` is "1"), object key
 * order is insertion order even for keys like "2" (JavaScript objects move those first), `NaN` and
 * `Infinity` are accepted, and `json.dump` escapes every non-ASCII character.
 *
 * Values: int → bigint, float → number, str → string, list → array, dict → Map.
 */
import { formatPythonFloatForJson, pyReprString } from './repr.js';

export type PyValue = null | boolean | bigint | number | string | PyValue[] | PyDict;
export type PyDict = Map<string, PyValue>;

export class PyJsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

/** A run of string characters that need no attention (no quote, backslash or control character). */
const PLAIN_RUN = /[^"\\\x00-\x1f]*/y;

/** `json.loads(text)`: throws PyJsonSyntaxError with the character position where Python fails. */
export function parsePyJson(text: string): PyValue {
  let i = 0;
  const n = text.length;

  const fail = (msg: string): never => {
    throw new PyJsonSyntaxError(msg, i);
  };
  const skipWs = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i += 1;
      else return;
    }
  };

  const parseString = (): string => {
    i += 1; // opening quote
    let out = '';
    let start = i;
    for (;;) {
      PLAIN_RUN.lastIndex = i;
      PLAIN_RUN.test(text);
      i = PLAIN_RUN.lastIndex;
      if (i >= n) fail('Unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        i += 1;
        return out;
      }
      if (c < 0x20) fail('Invalid control character');
      if (c === 0x5c) {
        out += text.slice(start, i);
        const e = text[i + 1];
        i += 2;
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = text.slice(i, i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('Invalid \\uXXXX escape');
            out += String.fromCharCode(parseInt(hex, 16));
            i += 4;
            break;
          }
          default:
            i -= 1;
            fail('Invalid \\escape');
        }
        start = i;
        continue;
      }
      i += 1;
    }
  };

  const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;

  const parseValue = (depth: number): PyValue => {
    if (depth > 10000) fail('Too deeply nested');
    skipWs();
    if (i >= n) fail('Expecting value');
    const c = text[i];
    if (c === '"') return parseString();
    if (c === '{') {
      i += 1;
      const dict: PyDict = new Map();
      skipWs();
      if (text[i] === '}') {
        i += 1;
        return dict;
      }
      for (;;) {
        skipWs();
        if (text[i] !== '"') fail('Expecting property name enclosed in double quotes');
        const key = parseString();
        skipWs();
        if (text[i] !== ':') fail("Expecting ':' delimiter");
        i += 1;
        dict.set(key, parseValue(depth + 1)); // a repeated key keeps its first position, last value (dict semantics)
        skipWs();
        if (text[i] === ',') {
          i += 1;
          continue;
        }
        if (text[i] === '}') {
          i += 1;
          return dict;
        }
        fail("Expecting ',' delimiter");
      }
    }
    if (c === '[') {
      i += 1;
      const list: PyValue[] = [];
      skipWs();
      if (text[i] === ']') {
        i += 1;
        return list;
      }
      for (;;) {
        list.push(parseValue(depth + 1));
        skipWs();
        if (text[i] === ',') {
          i += 1;
          continue;
        }
        if (text[i] === ']') {
          i += 1;
          return list;
        }
        fail("Expecting ',' delimiter");
      }
    }
    if (text.startsWith('null', i)) return ((i += 4), null);
    if (text.startsWith('true', i)) return ((i += 4), true);
    if (text.startsWith('false', i)) return ((i += 5), false);
    if (text.startsWith('NaN', i)) return ((i += 3), NaN);
    if (text.startsWith('Infinity', i)) return ((i += 8), Infinity);
    if (text.startsWith('-Infinity', i)) return ((i += 9), -Infinity);
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return fail('Expecting value');
    i += m[0].length;
    if (m[1] === undefined && m[2] === undefined) return BigInt(m[0]);
    return Number(m[0]);
  };

  const value = parseValue(0);
  skipWs();
  if (i < n) fail('Extra data');
  return value;
}

export function isDict(v: PyValue | undefined): v is PyDict {
  return v instanceof Map;
}

/** Python's `str(v)` (what `'{}'.format(v)` and f-strings print). */
export function pyStr(v: PyValue): string {
  if (typeof v === 'string') return v;
  return pyRepr(v);
}

/** Python's `repr(v)` for JSON-born values. */
export function pyRepr(v: PyValue): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return formatPythonFloatForJson(v, 'repr');
  if (typeof v === 'string') return pyReprString(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  return `{${[...v].map(([k, x]) => `${pyReprString(k)}: ${pyRepr(x)}`).join(', ')}}`;
}

/**
 * A string that is equal for two values exactly when they are equal dict keys in Python
 * (1, 1.0 and True are one key; "1" is another). Undefined for unhashable values (list, dict),
 * where Python raises TypeError. NaN gets a key that matches nothing, as NaN != NaN.
 */
export function pyKey(v: PyValue): string | undefined {
  if (typeof v === 'string') return `s${v}`;
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'n1' : 'n0';
  if (typeof v === 'bigint') return `n${v.toString()}`;
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return `nan${Math.random()}`;
    if (Number.isInteger(v)) return `n${BigInt(v).toString()}`;
    return `f${formatPythonFloatForJson(v, 'repr')}`;
  }
  return undefined;
}

/** Python `==` for JSON-born scalars (numbers compare across int/float/bool). */
export function pyEquals(a: PyValue, b: PyValue): boolean {
  const ka = pyKey(a);
  const kb = pyKey(b);
  if (ka !== undefined && kb !== undefined) return ka === kb;
  return pyRepr(a) === pyRepr(b);
}

/** Python truthiness. */
export function pyTruthy(v: PyValue): boolean {
  if (v === null || v === false) return false;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  return true;
}

/** A JSON-born number as a JavaScript double (Python's int → float conversion); undefined if not numeric. */
export function pyToFloat(v: PyValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

function escapeJsonString(s: string): string {
  let out = '"';
  for (let k = 0; k < s.length; k += 1) {
    const c = s.charCodeAt(k);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c < 0x20 || c > 0x7e)
      out += `\\u${c.toString(16).padStart(4, '0')}`; // UTF-16 units = Python's surrogate pairs
    else out += s[k];
  }
  return `${out}"`;
}

/**
 * `json.dumps(v)` (indent undefined: separators ", " and ": ") or `json.dump(v, f, indent=n)`
 * (separators "," and ": ", newline + n spaces per level), ensure_ascii on, as Python writes it.
 */
export function dumpPyJson(v: PyValue, indent?: number): string {
  const write = (x: PyValue, level: number): string => {
    if (x === null) return 'null';
    if (x === true) return 'true';
    if (x === false) return 'false';
    if (typeof x === 'bigint') return x.toString();
    if (typeof x === 'number') return formatPythonFloatForJson(x, 'json');
    if (typeof x === 'string') return escapeJsonString(x);
    const entries: string[] = Array.isArray(x)
      ? x.map((item) => write(item, level + 1))
      : [...x].map(([k, item]) => `${escapeJsonString(k)}: ${write(item, level + 1)}`);
    const [open, close] = Array.isArray(x) ? ['[', ']'] : ['{', '}'];
    if (entries.length === 0) return `${open}${close}`;
    if (indent === undefined) return `${open}${entries.join(', ')}${close}`;
    const inner = `\n${' '.repeat(indent * (level + 1))}`;
    const outer = `\n${' '.repeat(indent * level)}`;
    return `${open}${inner}${entries.join(`,${inner}`)}${outer}${close}`;
  };
  return write(v, 0);
}

/** Builds a dict (insertion-ordered, as Python's) from pairs. */
export function pyDict(entries: ReadonlyArray<readonly [string, PyValue]>): PyDict {
  return new Map(entries);
}
