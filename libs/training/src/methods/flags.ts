import { type MethodFlag, type MethodHyper, methodFlagError } from './method.js';

export interface NumberRule {
  readonly integer?: boolean;
  /** Inclusive lower bound. */
  readonly min?: number;
  /** Exclusive upper bound. */
  readonly below?: number;
}

/** A numeric `--<name> <value>` flag with its range checked at parse time. */
export function numberFlag<H extends MethodHyper>(
  method: string,
  name: string,
  key: keyof H & string,
  help: string,
  rule: NumberRule = {},
): MethodFlag<H> {
  return {
    name,
    key,
    help,
    parse: (raw) => {
      const x = Number(raw);
      const what = rule.integer ? 'an integer' : 'a number';
      if (raw.trim() === '' || !Number.isFinite(x) || (rule.integer && !Number.isInteger(x)))
        throw methodFlagError(method, name, `expected ${what}, got ${JSON.stringify(raw)}`);
      if (rule.min !== undefined && x < rule.min)
        throw methodFlagError(method, name, `must be at least ${rule.min}, got ${raw}`);
      if (rule.below !== undefined && x >= rule.below)
        throw methodFlagError(method, name, `must be below ${rule.below}, got ${raw}`);
      return x as H[keyof H];
    },
  };
}
