import type { PickleValue } from './pickle-value.js';

/**
 * The only globals a pickle may name (see pickle.ts): builtins that rebuild plain data.
 */
/** A callable named by GLOBAL that we agree to apply with REDUCE. */
export class SafeCallable {
  constructor(
    readonly name: string,
    readonly apply: (args: PickleValue[]) => PickleValue,
  ) {}
}

export const SAFE_GLOBALS: Readonly<Record<string, SafeCallable>> = {
  set: new SafeCallable('set', (args) => new Set(args.length === 0 ? [] : asSequence(args[0]))),
  frozenset: new SafeCallable('frozenset', (args) => new Set(args.length === 0 ? [] : asSequence(args[0]))),
  bytearray: new SafeCallable('bytearray', (args) => {
    if (args.length === 0) return new Uint8Array(0);
    if (args[0] instanceof Uint8Array) return args[0];
    if (typeof args[0] === 'string' && args.length >= 2) return latin1Bytes(args[0]);
    return Uint8Array.from(asSequence(args[0]).map(Number));
  }),
  // Python 3 pickles bytes at protocol <3 as _codecs.encode(text, 'latin1').
  encode: new SafeCallable('_codecs.encode', (args) => {
    const [text, encoding] = args;
    if (typeof text !== 'string') throw new Error('_codecs.encode expects a str');
    if (encoding === 'latin1' || encoding === 'latin-1') return latin1Bytes(text);
    return new TextEncoder().encode(text);
  }),
};

export const SAFE_GLOBAL_NAMES: Readonly<Record<string, keyof typeof SAFE_GLOBALS>> = {
  'builtins set': 'set',
  '__builtin__ set': 'set',
  'builtins frozenset': 'frozenset',
  '__builtin__ frozenset': 'frozenset',
  'builtins bytearray': 'bytearray',
  '__builtin__ bytearray': 'bytearray',
  '_codecs encode': 'encode',
};

export function latin1Bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

function asSequence(v: PickleValue): PickleValue[] {
  if (Array.isArray(v)) return v;
  if (v instanceof Set) return [...v];
  throw new Error('expected a list or tuple');
}
