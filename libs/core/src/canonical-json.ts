import { createHash } from 'node:crypto';

/**
 * Canonical JSON: object keys sorted, no whitespace, numbers as JavaScript prints them.
 * Unit keys (ARCHITECTURE.md "every unit of work has a deterministic key") hash this form,
 * so two specs that differ only in key order get the same key.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value, []));
}

function sortKeys(value: unknown, path: string[]): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new TypeError(`canonicalJson: non-finite number at ${path.join('.') || '<root>'}`);
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => sortKeys(v, [...path, String(i)]));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v, [...path, key]);
    }
    return out;
  }
  throw new TypeError(`canonicalJson: cannot encode ${typeof value} at ${path.join('.') || '<root>'}`);
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** sha256 of the canonical JSON of `inputs` together with the code version. */
export function unitKey(inputs: unknown, codeVersion: string): string {
  return sha256Hex(canonicalJson({ code: codeVersion, inputs }));
}
