import { formatPython2f } from '../python/format.js';
import { badInput, type Source } from '../io/errors.js';

/** The two lines (plus print's newline) most CoIN scorers print: 'Samples: {}\nAccuracy: {:.2f}%\n'. */
export function samplesAccuracyText(samples: number, accuracy: number): string {
  return `Samples: ${samples}\nAccuracy: ${formatPython2f(accuracy)}%\n`;
}

/** Python's ZeroDivisionError on an empty prediction file, as a usage error. */
export function requireNonEmpty(count: number, src: Source): void {
  if (count === 0) throw badInput(src, 'the prediction file has no lines; there is nothing to score', 'crash with ZeroDivisionError');
}
