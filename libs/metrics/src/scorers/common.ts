import { formatPython2f } from '@coin/core';
import { badInput, type Source } from '../io/errors.js';
import type { ScoreReport } from './types.js';

/** The two lines (plus print's newline) most CoIN scorers print: 'Samples: {}\nAccuracy: {:.2f}%\n'. */
function samplesAccuracyText(samples: number, accuracy: number): string {
  return `Samples: ${samples}\nAccuracy: ${formatPython2f(accuracy)}%\n`;
}

/**
 * The report of a scorer that prints CoIN's two lines and writes them as Result.text: `printed`
 * is the sample count the script prints (OCR-VQA's coin mode prints 0), `resultSuffix` what it
 * writes after the two lines (ImageNet's wrong answers).
 */
export function samplesAccuracyReport(
  r: Omit<ScoreReport, 'stdout' | 'files'> & { readonly printed?: number; readonly resultSuffix?: string },
): ScoreReport {
  const { printed, resultSuffix = '', ...report } = r;
  const text = samplesAccuracyText(printed ?? report.samples, report.accuracy);
  return {
    ...report,
    stdout: `${text}\n`,
    files: [{ name: 'Result.text', content: text + resultSuffix, mode: 'write' }],
  };
}

/** Python's ZeroDivisionError on an empty prediction file, as a usage error. */
export function requireNonEmpty(count: number, src: Source): void {
  if (count === 0)
    throw badInput(src, 'the prediction file has no lines; there is nothing to score', 'crash with ZeroDivisionError');
}
