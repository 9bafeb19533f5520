import { latin1Bytes } from './pickle-globals.js';

/** Python 2 `str` is bytes: decode as UTF-8 when valid, else Latin-1 (as pickle's encoding='latin1'). */
export function decodePy2String(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return String.fromCharCode(...bytes);
  }
}

/** A number when it is a safe integer, else the bigint. */
function narrow(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** LONG1/LONG4: little-endian two's complement of any length. */
export function longFromBytes(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return narrow(v);
}

/** INT/LONG text ("123", "-4", Python 2's "5L"); undefined when it is not an integer. */
export function parseIntText(s: string): number | bigint | undefined {
  const t = s.replace(/L$/, '');
  return /^[+-]?\d+$/.test(t) ? narrow(BigInt(t)) : undefined;
}

/** STRING's argument: a quoted Python 2 repr; undefined when it is not quoted. */
export function unquotePy2Repr(s: string): string | undefined {
  const m = /^(['"])(.*)\1$/.exec(s);
  if (!m) return undefined;
  const unescaped = m[2].replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_all, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return ({ n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' } as Record<string, string>)[e] ?? `\\${e}`;
  });
  return decodePy2String(latin1Bytes(unescaped));
}

/** UNICODE's argument: raw-unicode-escape text. */
export function rawUnicodeEscape(s: string): string {
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_a, h4?: string, h8?: string) =>
    String.fromCodePoint(parseInt((h4 ?? h8) as string, 16)),
  );
}
