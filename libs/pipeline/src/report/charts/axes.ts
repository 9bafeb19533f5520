/** Axes and legends shared by the plotted charts. */
import { el, num, text } from './svg.js';

export interface Plot {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** A linear scale from [d0, d1] to pixels [p0, p1]. */
export function scale(d0: number, d1: number, p0: number, p1: number): (v: number) => number {
  const span = d1 - d0 || 1;
  return (v) => p0 + ((v - d0) / span) * (p1 - p0);
}

/** Horizontal grid lines and labels at `ticks` on the left edge of the plot. */
export function yAxis(plot: Plot, ticks: readonly number[], y: (v: number) => number, label: string): string {
  let out = '';
  for (const t of ticks) {
    out += el('line', { x1: plot.left, x2: plot.left + plot.width, y1: y(t), y2: y(t), class: 'grid' });
    out += text(plot.left - 6, y(t) + 4, String(t), { class: 'tick', 'text-anchor': 'end' });
  }
  const cx = plot.left - 38;
  const cy = plot.top + plot.height / 2;
  out += text(cx, cy, label, {
    class: 'axis-title',
    'text-anchor': 'middle',
    transform: `rotate(-90 ${num(cx)} ${num(cy)})`,
  });
  return out;
}

/** Vertical grid lines and labels at `ticks` under the plot. */
export function xAxis(plot: Plot, ticks: readonly number[], x: (v: number) => number, label: string): string {
  let out = '';
  const bottom = plot.top + plot.height;
  for (const t of ticks) {
    out += el('line', { x1: x(t), x2: x(t), y1: plot.top, y2: bottom, class: 'grid' });
    out += text(x(t), bottom + 16, String(t), { class: 'tick', 'text-anchor': 'middle' });
  }
  out += text(plot.left + plot.width / 2, bottom + 36, label, { class: 'axis-title', 'text-anchor': 'middle' });
  return out;
}

export interface LegendItem {
  readonly label: string;
  readonly color: string;
}

/** A vertical legend: a swatch and a label per item, from (x, y) down. */
export function legend(items: readonly LegendItem[], x: number, y: number): string {
  return items
    .map(
      (item, k) =>
        el('rect', { x, y: y + k * 18 - 9, width: 12, height: 12, fill: item.color, class: 'swatch' }) +
        text(x + 18, y + k * 18 + 1, item.label, { class: 'legend-label' }),
    )
    .join('');
}
