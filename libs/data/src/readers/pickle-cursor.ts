import { CoinError } from '@coin/core';

/**
 * The byte side of the pickle reader: little-endian integers, length-prefixed bytes and text,
 * newline-terminated text arguments, and errors that name the file and the opcode's offset.
 */
export class PickleCursor {
  pos = 0;
  /** Offset of the opcode being read, for error messages. */
  opPos = 0;
  private readonly view: DataView;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });

  constructor(
    readonly data: Uint8Array,
    readonly source: string,
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  fail(what: string, code = 'PICKLE.MALFORMED'): never {
    throw new CoinError(code, code === 'PICKLE.UNSAFE' ? 'INVALID_ARGUMENT' : 'DATA_LOSS', `${this.source}: byte ${this.opPos}: ${what}`, {
      hint: code === 'PICKLE.UNSAFE' ? 'only pickles of plain data (lists, dicts, str, numbers) are read; re-save the data without custom classes' : 'the file is truncated or not a pickle; re-download it',
      details: { file: this.source, offset: this.opPos },
    });
  }

  /** Starts the next opcode: returns it, or fails when the data ends before STOP. */
  opcode(): number {
    this.opPos = this.pos;
    if (this.pos >= this.data.length) this.fail('no STOP opcode: the file is truncated');
    return this.data[this.pos++];
  }

  private need(n: number): void {
    if (this.pos + n > this.data.length) this.fail(`unexpected end of data (needed ${n} more byte(s)): the file is truncated`);
  }

  u8(): number {
    this.need(1);
    return this.data[this.pos++];
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** An 8-byte length; fails past 2^53. */
  u64(): number {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail('length too large');
    return Number(v);
  }

  /** BINFLOAT's big-endian double. */
  f64be(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, false);
    this.pos += 8;
    return v;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** A protocol-0 text argument up to its newline, read as Latin-1. */
  line(): string {
    const end = this.data.indexOf(0x0a, this.pos);
    if (end < 0) this.fail('unterminated text argument');
    const text = String.fromCharCode(...this.data.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }

  /** n bytes of UTF-8 (a Python 3 str). */
  text(n: number): string {
    const b = this.bytes(n);
    try {
      return this.utf8.decode(b);
    } catch {
      return this.fail('invalid UTF-8 in a str');
    }
  }
}
