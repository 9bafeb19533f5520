import { inflateSync } from 'node:zlib';
import { CoinError } from '@coin/core';

/**
 * A reader for MATLAB level-5 MAT-files, enough for ImageNet's devkit `meta.mat` (a struct array
 * of synsets: ILSVRC2012_ID, WNID, words, ...). Supports little-endian files, compressed
 * elements, struct/cell/char/numeric arrays (MATLAB may store doubles as smaller integer types),
 * the small-data-element format, and empty arrays. Sparse and object arrays are refused.
 * Format: MathWorks, "MAT-File Format" (matfile_format.pdf), level 5.
 */
export type MatValue = number[] | string | MatStruct[] | MatValue[];
export type MatStruct = Record<string, MatValue>;

export interface MatArray {
  readonly name: string;
  readonly className: string;
  readonly dims: readonly number[];
  readonly value: MatValue;
}

const MI = {
  INT8: 1,
  UINT8: 2,
  INT16: 3,
  UINT16: 4,
  INT32: 5,
  UINT32: 6,
  SINGLE: 7,
  DOUBLE: 9,
  INT64: 12,
  UINT64: 13,
  MATRIX: 14,
  COMPRESSED: 15,
  UTF8: 16,
  UTF16: 17,
  UTF32: 18,
} as const;
const CLASS_NAMES: Readonly<Record<number, string>> = {
  1: 'cell',
  2: 'struct',
  3: 'object',
  4: 'char',
  5: 'sparse',
  6: 'double',
  7: 'single',
  8: 'int8',
  9: 'uint8',
  10: 'int16',
  11: 'uint16',
  12: 'int32',
  13: 'uint32',
  14: 'int64',
  15: 'uint64',
};

interface Element {
  readonly type: number;
  readonly data: Uint8Array;
  readonly next: number;
}

export function readMat5(bytes: Uint8Array, source = '<mat>'): Map<string, MatArray> {
  const fail = (what: string): never => {
    throw new CoinError('MAT.MALFORMED', 'DATA_LOSS', `${source}: ${what}`, {
      hint: 'the file is truncated or not a MATLAB v5 MAT-file; re-extract the devkit',
      details: { file: source },
    });
  };
  if (bytes.length < 128) fail('shorter than the 128-byte MAT-file header');
  const header = new TextDecoder('latin1').decode(bytes.subarray(0, 116));
  if (!header.startsWith('MATLAB 5.0 MAT-file'))
    fail('not a MATLAB 5.0 MAT-file (v7.3 files are HDF5: re-save with -v7)');
  if (bytes[126] !== 0x49 || bytes[127] !== 0x4d) fail('big-endian MAT-files are not supported');

  const readElement = (buf: Uint8Array, pos: number): Element => {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    if (pos + 8 > buf.length) fail(`element at byte ${pos} is truncated`);
    const first = view.getUint32(pos, true);
    if (first >>> 16 !== 0) {
      // Small data element: type and size packed in 4 bytes, data in the next 4.
      const size = first >>> 16;
      if (size > 4) fail(`bad small element at byte ${pos}`);
      return { type: first & 0xffff, data: buf.subarray(pos + 4, pos + 4 + size), next: pos + 8 };
    }
    const size = view.getUint32(pos + 4, true);
    if (pos + 8 + size > buf.length) fail(`element at byte ${pos} (${size} bytes) runs past the end`);
    const padded = first === MI.COMPRESSED ? size : Math.ceil(size / 8) * 8;
    return { type: first, data: buf.subarray(pos + 8, pos + 8 + size), next: pos + 8 + padded };
  };

  const numbers = (el: Element): number[] => {
    const v = new DataView(el.data.buffer, el.data.byteOffset, el.data.byteLength);
    const out: number[] = [];
    const widths: Record<number, number> = {
      [MI.INT8]: 1,
      [MI.UINT8]: 1,
      [MI.INT16]: 2,
      [MI.UINT16]: 2,
      [MI.INT32]: 4,
      [MI.UINT32]: 4,
      [MI.SINGLE]: 4,
      [MI.DOUBLE]: 8,
      [MI.INT64]: 8,
      [MI.UINT64]: 8,
      [MI.UTF8]: 1,
      [MI.UTF16]: 2,
      [MI.UTF32]: 4,
    };
    const w = widths[el.type];
    if (w === undefined) fail(`element type ${el.type} is not numeric`);
    for (let i = 0; i + w <= el.data.length; i += w) {
      switch (el.type) {
        case MI.INT8:
          out.push(v.getInt8(i));
          break;
        case MI.UINT8:
        case MI.UTF8:
          out.push(v.getUint8(i));
          break;
        case MI.INT16:
          out.push(v.getInt16(i, true));
          break;
        case MI.UINT16:
        case MI.UTF16:
          out.push(v.getUint16(i, true));
          break;
        case MI.INT32:
          out.push(v.getInt32(i, true));
          break;
        case MI.UINT32:
        case MI.UTF32:
          out.push(v.getUint32(i, true));
          break;
        case MI.SINGLE:
          out.push(v.getFloat32(i, true));
          break;
        case MI.DOUBLE:
          out.push(v.getFloat64(i, true));
          break;
        case MI.INT64:
          out.push(Number(v.getBigInt64(i, true)));
          break;
        case MI.UINT64:
          out.push(Number(v.getBigUint64(i, true)));
          break;
      }
    }
    return out;
  };

  const parseMatrix = (data: Uint8Array): MatArray => {
    if (data.length === 0) return { name: '', className: 'double', dims: [0, 0], value: [] };
    let pos = 0;
    const flags = readElement(data, pos);
    pos = flags.next;
    const classId = numbers(flags)[0] & 0xff;
    const dimsEl = readElement(data, pos);
    pos = dimsEl.next;
    const dims = numbers(dimsEl);
    const nameEl = readElement(data, pos);
    pos = nameEl.next;
    const name = new TextDecoder('latin1').decode(nameEl.data);
    const count = dims.reduce((a, b) => a * b, 1);
    const className = CLASS_NAMES[classId] ?? `class ${classId}`;
    switch (classId) {
      case 1: {
        const cells: MatValue[] = [];
        for (let i = 0; i < count; i++) {
          const el = readElement(data, pos);
          pos = el.next;
          if (el.type !== MI.MATRIX) fail(`cell ${name} element ${i} is not a matrix`);
          cells.push(parseMatrix(el.data).value);
        }
        return { name, className, dims, value: cells };
      }
      case 2: {
        const lenEl = readElement(data, pos);
        pos = lenEl.next;
        const fieldLength = numbers(lenEl)[0];
        const namesEl = readElement(data, pos);
        pos = namesEl.next;
        const fields: string[] = [];
        for (let off = 0; off + fieldLength <= namesEl.data.length && fieldLength > 0; off += fieldLength) {
          fields.push(
            new TextDecoder('latin1').decode(namesEl.data.subarray(off, off + fieldLength)).replace(/\0.*$/s, ''),
          );
        }
        const structs: MatStruct[] = [];
        for (let i = 0; i < count; i++) {
          const s: MatStruct = {};
          for (const f of fields) {
            const el = readElement(data, pos);
            pos = el.next;
            if (el.type !== MI.MATRIX) fail(`struct ${name} field ${f} is not a matrix`);
            s[f] = parseMatrix(el.data).value;
          }
          structs.push(s);
        }
        return { name, className, dims, value: structs };
      }
      case 4: {
        const el = readElement(data, pos);
        const codes =
          el.type === MI.UTF8 || el.type === MI.UINT8
            ? [...new TextDecoder('utf-8').decode(el.data)].map((c) => c.codePointAt(0) as number)
            : numbers(el);
        // Column-major: for a 1×n char array this is the string; rows of an m×n array are interleaved.
        const rows = dims[0] ?? 1;
        const cols = dims.length > 1 ? dims[1] : codes.length;
        const lines: string[] = [];
        for (let r = 0; r < rows; r++) {
          let line = '';
          for (let c = 0; c < cols; c++) line += String.fromCodePoint(codes[c * rows + r] ?? 32);
          lines.push(line);
        }
        return { name, className, dims, value: lines.join('\n') };
      }
      case 6:
      case 7:
      case 8:
      case 9:
      case 10:
      case 11:
      case 12:
      case 13:
      case 14:
      case 15: {
        if (count === 0) return { name, className, dims, value: [] };
        const real = readElement(data, pos);
        return { name, className, dims, value: numbers(real) };
      }
      default:
        return fail(`${className} arrays (variable ${JSON.stringify(name)}) are not supported`);
    }
  };

  const vars = new Map<string, MatArray>();
  let pos = 128;
  while (pos < bytes.length) {
    let el = readElement(bytes, pos);
    pos = el.next;
    if (el.type === MI.COMPRESSED) {
      let inflated: Uint8Array;
      try {
        inflated = inflateSync(el.data);
      } catch (e) {
        return fail(`a compressed element does not inflate: ${(e as Error).message}`);
      }
      el = readElement(inflated, 0);
    }
    if (el.type !== MI.MATRIX) continue; // subsystem data and the like
    const array = parseMatrix(el.data);
    vars.set(array.name, array);
  }
  return vars;
}
