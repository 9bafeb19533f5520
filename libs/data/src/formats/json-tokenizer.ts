import { CoinError } from '@coin/core';

/**
 * A push tokenizer for JSON text that arrives in pieces (file chunks). Written for bounded memory on
 * multi-gigabyte files: a token may straddle any number of chunks (even 1-character ones), and only
 * the token being read is buffered. Positions are 1-based lines and columns (UTF-16 code units),
 * as an editor shows them.
 */
export type JsonTokenKind = '{' | '}' | '[' | ']' | ':' | ',' | 'string' | 'number' | 'literal';
export type JsonScalar = string | number | boolean | null;

export interface JsonTokenSink {
  /** `value` is set for string, number and literal tokens. */
  token(kind: JsonTokenKind, value: JsonScalar | undefined, line: number, column: number): void;
}

export interface JsonPosition {
  readonly line: number;
  readonly column: number;
}

/** Malformed JSON, always with file and position: INVALID_ARGUMENT (the user's input is wrong). */
export function malformedJson(source: string, position: JsonPosition, what: string): CoinError {
  return new CoinError(
    'JSON.MALFORMED',
    'INVALID_ARGUMENT',
    `${source}:${position.line}:${position.column}: malformed JSON: ${what}`,
    {
      hint: 'the file is truncated or not JSON; re-download or re-extract it',
      details: { file: source, line: position.line, column: position.column },
    },
  );
}

type State = 'between' | 'string' | 'escape' | 'unicode' | 'number' | 'literal';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};
const NUMBER_SYNTAX = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const LITERALS: Readonly<Record<string, JsonScalar>> = { true: true, false: false, null: null };

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45;
}
function isLetter(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}

export class JsonTokenizer {
  private state: State = 'between';
  private buffer = '';
  private hex = '';
  private line = 1;
  /** Absolute offset of the first character of the current line. */
  private lineStart = 0;
  /** Absolute offset of the first character of the chunk being read. */
  private chunkStart = 0;
  private tokenLine = 0;
  private tokenColumn = 0;

  constructor(
    private readonly sink: JsonTokenSink,
    readonly source: string,
  ) {}

  /** The position just after everything consumed so far (for end-of-input errors). */
  position(): JsonPosition {
    return { line: this.line, column: this.chunkStart - this.lineStart + 1 };
  }

  write(text: string): void {
    const n = text.length;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case 'between': {
          const c = text.charCodeAt(i);
          if (c === 0x20 || c === 0x09 || c === 0x0d) {
            i++;
          } else if (c === 0x0a) {
            i++;
            this.line++;
            this.lineStart = this.chunkStart + i;
          } else {
            this.markToken(i);
            if (c === QUOTE) {
              this.state = 'string';
              this.buffer = '';
              i++;
            } else if (c === 0x7b || c === 0x7d || c === 0x5b || c === 0x5d || c === 0x3a || c === 0x2c) {
              this.sink.token(text[i] as JsonTokenKind, undefined, this.tokenLine, this.tokenColumn);
              i++;
            } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
              this.state = 'number';
              this.buffer = '';
            } else if (isLetter(c)) {
              this.state = 'literal';
              this.buffer = '';
            } else {
              throw this.error(i, `unexpected character ${JSON.stringify(text[i])}`);
            }
          }
          break;
        }
        case 'string': {
          // Copy the longest run of plain characters in one slice: strings dominate large files.
          let j = i;
          let c = 0;
          while (j < n) {
            c = text.charCodeAt(j);
            if (c === QUOTE || c === BACKSLASH || c < 0x20) break;
            j++;
          }
          if (j > i) this.buffer += text.slice(i, j);
          i = j;
          if (i === n) break;
          if (c === QUOTE) {
            this.state = 'between';
            i++;
            this.sink.token('string', this.buffer, this.tokenLine, this.tokenColumn);
            this.buffer = '';
          } else if (c === BACKSLASH) {
            this.state = 'escape';
            i++;
          } else {
            throw this.error(i, `unescaped control character U+${c.toString(16).padStart(4, '0')} in a string`);
          }
          break;
        }
        case 'escape': {
          const ch = text[i];
          if (ch === 'u') {
            this.state = 'unicode';
            this.hex = '';
          } else if (ESCAPES[ch] !== undefined) {
            this.buffer += ESCAPES[ch];
            this.state = 'string';
          } else {
            throw this.error(i, `invalid escape \\${ch}`);
          }
          i++;
          break;
        }
        case 'unicode': {
          const ch = text[i];
          if (!/[0-9a-fA-F]/.test(ch))
            throw this.error(i, `invalid \\u escape: ${JSON.stringify(ch)} is not a hex digit`);
          this.hex += ch;
          i++;
          if (this.hex.length === 4) {
            // Surrogate halves are appended one code unit at a time; a pair re-forms by concatenation.
            this.buffer += String.fromCharCode(parseInt(this.hex, 16));
            this.state = 'string';
          }
          break;
        }
        case 'number': {
          let j = i;
          while (j < n && isNumberChar(text.charCodeAt(j))) j++;
          this.buffer += text.slice(i, j);
          i = j;
          if (i < n) this.finishNumber();
          break;
        }
        case 'literal': {
          let j = i;
          while (j < n && isLetter(text.charCodeAt(j))) j++;
          this.buffer += text.slice(i, j);
          i = j;
          if (i < n) this.finishLiteral();
          break;
        }
      }
    }
    this.chunkStart += n;
  }

  /** Call after the last chunk: flushes a trailing number/literal, rejects an unterminated string. */
  end(): void {
    if (this.state === 'number') this.finishNumber();
    else if (this.state === 'literal') this.finishLiteral();
    else if (this.state !== 'between')
      throw malformedJson(
        this.source,
        { line: this.tokenLine, column: this.tokenColumn },
        'unterminated string at end of input',
      );
  }

  private markToken(i: number): void {
    this.tokenLine = this.line;
    this.tokenColumn = this.chunkStart + i - this.lineStart + 1;
  }

  private finishNumber(): void {
    const text = this.buffer;
    if (!NUMBER_SYNTAX.test(text))
      throw malformedJson(
        this.source,
        { line: this.tokenLine, column: this.tokenColumn },
        `invalid number ${JSON.stringify(text)}`,
      );
    this.state = 'between';
    this.buffer = '';
    this.sink.token('number', Number(text), this.tokenLine, this.tokenColumn);
  }

  private finishLiteral(): void {
    const text = this.buffer;
    if (!(text in LITERALS))
      throw malformedJson(
        this.source,
        { line: this.tokenLine, column: this.tokenColumn },
        `unexpected word ${JSON.stringify(text)}`,
      );
    this.state = 'between';
    this.buffer = '';
    this.sink.token('literal', LITERALS[text], this.tokenLine, this.tokenColumn);
  }

  private error(i: number, what: string): CoinError {
    return malformedJson(this.source, { line: this.line, column: this.chunkStart + i - this.lineStart + 1 }, what);
  }
}
