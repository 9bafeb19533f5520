/**
 * The byte-level alphabet and pre-tokenizer of GPT-2 style BPE (the Hugging Face `ByteLevel`
 * pre-tokenizer/decoder). Every UTF-8 byte maps to one printable character, so any string (emoji,
 * CJK, control characters) is representable with 256 base tokens and no unknown token.
 */

/** Byte value → the printable character that stands for it in vocab and merges (GPT-2 table). */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

/** Inverse of BYTE_TO_CHAR: char code → byte value (-1 for characters outside the alphabet). */
const CHAR_CODE_TO_BYTE: Int16Array = buildCharCodeToByte();

function buildByteToChar(): string[] {
  // Printable Latin-1 bytes stand for themselves; the other 68 bytes (controls, space, soft hyphen,
  // ...) are shifted to U+0100 upwards in byte order. Space therefore becomes 'Ġ' (U+0120).
  const table: string[] = new Array(256);
  const printable = (b: number): boolean =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    table[b] = printable(b) ? String.fromCharCode(b) : String.fromCharCode(256 + shifted++);
  }
  return table;
}

function buildCharCodeToByte(): Int16Array {
  const inverse = new Int16Array(512).fill(-1);
  BYTE_TO_CHAR.forEach((ch, b) => {
    inverse[ch.charCodeAt(0)] = b;
  });
  return inverse;
}

/**
 * GPT-2's pre-tokenization pattern, written exactly as `@huggingface/tokenizers` compiles it (JS
 * `\s`, Unicode letter/number classes), so that our encoder splits words identically to it.
 * Contractions, then an optional leading space glued to a run of letters / digits / other
 * symbols, then whitespace (a trailing space before a word stays with that word).
 */
export const GPT2_SPLIT_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** Split text into pre-tokens ("words"); BPE merges never cross their boundaries. */
export function preTokenize(text: string): string[] {
  return text.match(GPT2_SPLIT_PATTERN) ?? [];
}

const utf8 = new TextEncoder();

/** A pre-token as a byte-level string: one alphabet character per UTF-8 byte. */
export function toByteLevel(word: string): string {
  const bytes = utf8.encode(word);
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += BYTE_TO_CHAR[bytes[i]];
  return out;
}

/**
 * Bytes spelled by a byte-level token string, or null if it contains a character outside the
 * alphabet (then it cannot be a byte-level token).
 */
export function byteLevelToBytes(token: string): Uint8Array | null {
  const bytes = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i++) {
    const code = token.charCodeAt(i);
    const b = code < 512 ? CHAR_CODE_TO_BYTE[code] : -1;
    if (b < 0) return null;
    bytes[i] = b;
  }
  return bytes;
}
