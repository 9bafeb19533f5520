import { invalidArgument } from '@coin/core';

/**
 * A whole-number flag in [min, max], or PREP.BAD_FLAG naming it; the hint shows `example`
 * (default: 200 clamped to the range).
 */
export function integerFlag(
  name: string,
  text: string,
  min: number,
  max: number,
  example = Math.max(min, Math.min(max, 200)),
): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw invalidArgument(
      'PREP.BAD_FLAG',
      `--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`,
      `e.g. --${name} ${example}`,
    );
  }
  return value;
}
