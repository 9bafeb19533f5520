import { PickleCursor } from './pickle-cursor.js';
import { SAFE_GLOBAL_NAMES, SAFE_GLOBALS, SafeCallable } from './pickle-globals.js';
import type { PickleValue } from './pickle-value.js';
import { decodePy2String, longFromBytes, parseIntText, rawUnicodeEscape, unquotePy2Repr } from './pickle-literals.js';

export type { PickleValue };

/**
 * A safe reader for Python pickles of plain data, enough for the RefCOCO family's `refs(unc).p` /
 * `refs(umd).p` (protocol 2: a list of dicts of str/int/float/list/tuple), and the protocol 0-5
 * opcodes that plain data uses. Nothing is ever constructed from a named class: GLOBAL and
 * STACK_GLOBAL are accepted only for a few builtins that rebuild plain data (set, frozenset,
 * bytearray, and `_codecs.encode`, which Python 3 uses for bytes at protocol 2), and every other
 * global, BUILD, INST, OBJ, NEWOBJ, EXT*, or out-of-band buffer is refused with PICKLE.UNSAFE.
 * Python values become PickleValue (pickle-value.ts).
 */

const MARK = Symbol('mark');
type StackItem = PickleValue | typeof MARK | SafeCallable;

function isCallable(v: StackItem): v is SafeCallable {
  return v instanceof SafeCallable;
}

function setKey(
  target: { [key: string]: PickleValue },
  key: PickleValue,
  value: PickleValue,
  fail: (what: string) => never,
): void {
  let name: string;
  if (typeof key === 'string') name = key;
  else if (typeof key === 'number' || typeof key === 'bigint') name = String(key);
  else if (typeof key === 'boolean') name = key ? 'True' : 'False';
  else if (key === null) name = 'None';
  else return fail('dict keys must be str, int, bool or None');
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

/** Parses a pickle; `source` names the file in errors. */
export function loadPickle(data: Uint8Array, source = '<pickle>'): PickleValue {
  const c = new PickleCursor(data, source);
  const fail = (what: string, code?: string): never => c.fail(what, code);
  let stack: StackItem[] = [];
  const metastack: StackItem[][] = [];
  const memo = new Map<number, StackItem>();
  const pop = (): StackItem => {
    if (stack.length === 0) fail('stack underflow');
    return stack.pop() as StackItem;
  };
  const popValue = (): PickleValue => {
    const v = pop();
    if (v === MARK || isCallable(v)) return fail('expected a value on the stack');
    return v;
  };
  const top = (): StackItem => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): PickleValue[] => {
    const items = stack;
    if (metastack.length === 0) fail('no MARK on the stack');
    stack = metastack.pop() as StackItem[];
    for (const v of items) if (v === MARK || isCallable(v)) fail('unexpected item inside a MARK group');
    return items as PickleValue[];
  };
  const memoGet = (i: number): StackItem => {
    if (!memo.has(i)) fail(`memo key ${i} was never stored`);
    return memo.get(i) as StackItem;
  };
  const integer = (text: string): number | bigint =>
    parseIntText(text) ?? fail(`invalid integer ${JSON.stringify(text)}`);
  const global = (module: string, name: string): SafeCallable => {
    const safe = SAFE_GLOBAL_NAMES[`${module} ${name}`];
    if (safe === undefined)
      fail(`refusing to load global ${module}.${name}: it could construct arbitrary objects`, 'PICKLE.UNSAFE');
    return SAFE_GLOBALS[safe as string];
  };
  const appendTo = (target: StackItem, items: PickleValue[]): void => {
    if (Array.isArray(target)) target.push(...items);
    else if (target instanceof Set) for (const i of items) target.add(i);
    else fail('APPEND target is not a list');
  };
  const setItems = (target: StackItem, items: PickleValue[]): void => {
    if (
      target === MARK ||
      typeof target !== 'object' ||
      target === null ||
      Array.isArray(target) ||
      target instanceof Uint8Array ||
      target instanceof Set ||
      isCallable(target)
    )
      fail('SETITEM target is not a dict');
    if (items.length % 2 !== 0) fail('SETITEMS needs key/value pairs');
    for (let i = 0; i < items.length; i += 2)
      setKey(target as { [key: string]: PickleValue }, items[i], items[i + 1], fail);
  };
  const unsafe = (op: string): never =>
    fail(`refusing opcode ${op}: it constructs objects from classes`, 'PICKLE.UNSAFE');

  for (;;) {
    const op = c.opcode();
    switch (op) {
      case 0x80: // PROTO
        if (c.u8() > 5) fail('pickle protocol above 5 is not supported');
        break;
      case 0x95: // FRAME: a length prefix only; data follows inline.
        c.u64();
        break;
      case 0x2e: {
        // STOP
        const result = popValue();
        return result;
      }
      case 0x28: // MARK
        metastack.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        if (stack.length > 0) stack.pop();
        else popMark();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x49: {
        // INT (text): protocol 0 writes bools as I01/I00
        const s = c.line();
        stack.push(s === '01' ? true : s === '00' ? false : integer(s));
        break;
      }
      case 0x4c: // LONG (text)
        stack.push(integer(c.line()));
        break;
      case 0x4a: // BININT
        stack.push(c.i32());
        break;
      case 0x4b: // BININT1
        stack.push(c.u8());
        break;
      case 0x4d: // BININT2
        stack.push(c.u16());
        break;
      case 0x8a: // LONG1
        stack.push(longFromBytes(c.bytes(c.u8())));
        break;
      case 0x8b: {
        // LONG4
        const n = c.i32();
        if (n < 0) fail('negative LONG4 length');
        stack.push(longFromBytes(c.bytes(n)));
        break;
      }
      case 0x46: {
        // FLOAT (text)
        const s = c.line();
        const v = Number(s);
        if (Number.isNaN(v) && !/nan/i.test(s)) fail(`invalid float ${JSON.stringify(s)}`);
        stack.push(v);
        break;
      }
      case 0x47: // BINFLOAT (big-endian double)
        stack.push(c.f64be());
        break;
      case 0x53: {
        // STRING (py2 str, quoted repr)
        const s = c.line();
        stack.push(unquotePy2Repr(s) ?? fail('STRING argument is not quoted'));
        break;
      }
      case 0x54: {
        // BINSTRING
        const n = c.i32();
        if (n < 0) fail('negative BINSTRING length');
        stack.push(decodePy2String(c.bytes(n)));
        break;
      }
      case 0x55: // SHORT_BINSTRING
        stack.push(decodePy2String(c.bytes(c.u8())));
        break;
      case 0x56: // UNICODE (raw-unicode-escape text)
        stack.push(rawUnicodeEscape(c.line()));
        break;
      case 0x58: // BINUNICODE
        stack.push(c.text(c.u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(c.text(c.u8()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(c.text(c.u64()));
        break;
      case 0x42: // BINBYTES
        stack.push(c.bytes(c.u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(c.bytes(c.u8()).slice());
        break;
      case 0x8e: // BINBYTES8
        stack.push(c.bytes(c.u64()).slice());
        break;
      case 0x96: // BYTEARRAY8
        stack.push(c.bytes(c.u64()).slice());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push({});
        break;
      case 0x8f: // EMPTY_SET
        stack.push(new Set<PickleValue>());
        break;
      case 0x6c: // LIST
      case 0x74: {
        // TUPLE. Pop first: `stack` is reassigned by popMark, so `stack.push(popMark())` would push
        // onto the discarded MARK-level array.
        const items = popMark();
        stack.push(items);
        break;
      }
      case 0x85: // TUPLE1
        stack.push([popValue()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = popValue();
        const a = popValue();
        stack.push([a, b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = popValue();
        const b = popValue();
        const a = popValue();
        stack.push([a, b, c]);
        break;
      }
      case 0x64: {
        // DICT
        const items = popMark();
        const d: { [key: string]: PickleValue } = {};
        setItems(d, items);
        stack.push(d);
        break;
      }
      case 0x91: {
        // FROZENSET
        const items = popMark();
        stack.push(new Set(items));
        break;
      }
      case 0x61: {
        // APPEND
        const v = popValue();
        appendTo(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        appendTo(top(), items);
        break;
      }
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const target = top();
        if (!(target instanceof Set)) fail('ADDITEMS target is not a set');
        for (const i of items) (target as Set<PickleValue>).add(i);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = popValue();
        const k = popValue();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x70: // PUT (text index)
        memo.set(Number(integer(c.line())), top());
        break;
      case 0x71: // BINPUT
        memo.set(c.u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(c.u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x67: // GET
        stack.push(memoGet(Number(integer(c.line()))));
        break;
      case 0x68: // BINGET
        stack.push(memoGet(c.u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(c.u32()));
        break;
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = c.line();
        stack.push(global(module, c.line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = popValue();
        const module = popValue();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two str');
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x52: {
        // REDUCE: only the safe callables above
        const args = popValue();
        const callable = pop();
        if (!isCallable(callable)) return unsafe('REDUCE on something that is not a safe builtin');
        if (!Array.isArray(args)) fail('REDUCE arguments are not a tuple');
        try {
          stack.push((callable as SafeCallable).apply(args as PickleValue[]));
        } catch (e) {
          fail(`${(callable as SafeCallable).name}: ${(e as Error).message}`);
        }
        break;
      }
      case 0x62:
        unsafe('BUILD');
        break;
      case 0x69:
        unsafe('INST');
        break;
      case 0x6f:
        unsafe('OBJ');
        break;
      case 0x81:
        unsafe('NEWOBJ');
        break;
      case 0x92:
        unsafe('NEWOBJ_EX');
        break;
      case 0x82:
      case 0x83:
      case 0x84:
        unsafe('EXT (extension registry)');
        break;
      case 0x50:
      case 0x51:
        unsafe('PERSID (persistent ids)');
        break;
      case 0x97:
      case 0x98:
        unsafe('NEXT_BUFFER/READONLY_BUFFER (out-of-band buffers)');
        break;
      default:
        fail(`unknown opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
}
