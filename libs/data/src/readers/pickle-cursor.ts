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
    throw new CoinError(
      code,
      code === 'PICKLE.UNSAFE' ? 'INVALID_ARGUMENT' : 'DATA_LOSS',
      `${this.source}: byte ${this.opPos}: ${what}`,
      {
        hint:
          code === 'PICKLE.UNSAFE'
            ? 'only pickles of plain data (lists, dicts, str, numbers) are read; re-save the data without custom classes'
            : 'the file is truncated or not a pickle; re-download it',
        details: { file: this.source, offset: this.opPos },
      },
    );
  }

  /** Starts the next opcode: returns it, or fails when the data ends before STOP. */
  opcode(): number {
    this.opPos = this.pos;
    if (this.pos >= this.data.length) this.fail('no STOP opcode: the file is truncated');
    return this.data[this.pos++];
  }

  /** Claims the next n bytes and returns their offset; fails when the data ends first. */
  private take(n: number): number {
    if (this.pos + n > this.data.length)
      this.fail(`unexpected end of data (needed ${n} more byte(s)): the file is truncated`);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number {
    return this.data[this.take(1)];
  }

  u16(): number {
    return this.view.getUint16(this.take(2), true);
  }

  u32(): number {
    return this.view.getUint32(this.take(4), true);
  }

  i32(): number {
    return this.view.getInt32(this.take(4), true);
  }

  /** An 8-byte length; fails past 2^53. */
  u64(): number {
    const v = this.view.getBigUint64(this.take(8), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail('length too large');
    return Number(v);
  }

  /** BINFLOAT's big-endian double. */
  f64be(): number {
    return this.view.getFloat64(this.take(8), false);
  }

  bytes(n: number): Uint8Array {
    const at = this.take(n);
    return this.data.subarray(at, at + n);
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
