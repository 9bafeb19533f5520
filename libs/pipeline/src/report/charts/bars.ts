/**
 * Bar charts: per category, one bar per series side by side, or the series stacked into one bar
 * (train + eval time). A missing value is written `n/a` where its bar would stand; an interval
 * (mean ± 95% over seeds) is drawn as a whisker.
 */
import { legend, type Plot, scale, yAxis } from './axes.js';
import { chart, el, niceTicks, num, seriesColor, text, tip } from './svg.js';

export interface BarSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  /** Per value, the interval to whisker, or null. */
  readonly intervals?: readonly (readonly [number, number] | null)[];
}

export interface BarsInput {
  readonly name: string;
  readonly title: string;
  readonly categories: readonly string[];
  readonly series: readonly BarSeries[];
  readonly yLabel: string;
  /** How a value reads in its tooltip, e.g. `12.5 s`. */
  readonly format: (v: number) => string;
  readonly stacked?: boolean;
  /** A fixed top of the y axis (100 for scores); otherwise from the data. */
  readonly max?: number;
}

export function bars(input: BarsInput): string {
  const { categories, series, stacked = false } = input;
  const slot = Math.max(44, (stacked ? 1 : series.length) * 22 + 14);
  const plot: Plot = { left: 72, top: 40, width: Math.max(240, slot * categories.length), height: 220 };
  const width = plot.left + plot.width + 190;
  const height = plot.top + plot.height + 84;
  const tops = categories.map((_, c) => {
    const values = series.map((s) => s.values[c] ?? 0);
    const highs = series.map((s) => s.intervals?.[c]?.[1] ?? 0);
    return Math.max(stacked ? values.reduce((a, b) => a + b, 0) : Math.max(0, ...values), ...highs);
  });
  const ticks = input.max === undefined ? niceTicks(Math.max(0, ...tops)) : niceTicks(input.max, 4);
  const y = scale(0, ticks[ticks.length - 1], plot.top + plot.height, plot.top);
  let body = yAxis(plot, ticks, y, input.yLabel);
  const bottom = plot.top + plot.height;
  categories.forEach((category, c) => {
    const x0 = plot.left + slot * c + 7;
    const barW = stacked ? slot - 14 : (slot - 14) / series.length;
    let base = 0;
    series.forEach((s, k) => {
      const v = s.values[c];
      const x = stacked ? x0 : x0 + barW * k;
      if (v === null || v === undefined) {
        if (!stacked || k === 0)
          body += text(x + barW / 2, bottom - 6, 'n/a', { class: 'na', 'text-anchor': 'middle' });
        return;
      }
      const lo = stacked ? base : 0;
      const hi = lo + v;
      base = stacked ? hi : base;
      body += el(
        'rect',
        {
          x,
          y: y(hi),
          width: Math.max(1, barW - 2),
          height: Math.max(0.5, y(lo) - y(hi)),
          fill: seriesColor(k),
          class: 'bar mark',
        },
        tip(`${category}, ${s.label}: ${input.format(v)}`),
      );
      const interval = s.intervals?.[c];
      if (interval) {
        const mid = x + (barW - 2) / 2;
        body += el('path', {
          d: `M${num(mid)},${num(y(interval[0]))}V${num(y(interval[1]))}M${num(mid - 4)},${num(y(interval[0]))}h8M${num(mid - 4)},${num(y(interval[1]))}h8`,
          class: 'whisker',
        });
      }
    });
    const cx = x0 + (slot - 14) / 2;
    body += text(cx, bottom + 14, category, {
      class: 'tick',
      'text-anchor': 'end',
      transform: `rotate(-35 ${num(cx)} ${num(bottom + 14)})`,
    });
  });
  body += legend(
    series.map((s, k) => ({ label: s.label, color: seriesColor(k) })),
    plot.left + plot.width + 20,
    plot.top + 8,
  );
  return chart({ name: input.name, title: input.title, width, height }, body);
}
