/** Python `repr` pieces shared by the JSON writer and `str()` of parsed values. */
import { pythonFloatRepr } from '@coin/core';

/** A float as `repr()` shows it, or as `json.dumps` writes it (NaN, Infinity, -Infinity). */
export function formatPythonFloatForJson(x: number, style: 'repr' | 'json'): string {
  if (style === 'json' && !Number.isFinite(x)) {
    if (Number.isNaN(x)) return 'NaN';
    return x > 0 ? 'Infinity' : '-Infinity';
  }
  return pythonFloatRepr(x);
}

/**
 * `repr(str)`: single quotes unless the text contains ' and no ". Escapes \\, the quote, \n \r \t
 * and other control characters. Residual difference: Python also escapes non-printable non-ASCII
 * characters (Unicode categories C* and Z* other than space); we escape only C0/C1 controls.
 */
export function pyReprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    if (c === quote || c === '\\') out += `\\${c}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else out += c;
  }
  return out + quote;
}
