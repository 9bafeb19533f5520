/** Accuracy against the judge's score, one point per evaluated cell: where the two views part. */
import { formatCell } from '../html.js';
import { legend, type Plot, scale, xAxis, yAxis } from './axes.js';
import { chart, el, SCORE_TICKS, seriesColor, text, tip } from './svg.js';

export interface ScatterPoint {
  readonly x: number;
  readonly y: number;
  /** Colours the point (index into the legend). */
  readonly series: number;
  readonly label: string;
}

export interface ScatterInput {
  readonly name: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly seriesLabels: readonly string[];
  readonly points: readonly ScatterPoint[];
  /** Said in the plot when there is no point. */
  readonly emptyNote: string;
}

export function scatter(input: ScatterInput): string {
  const plot: Plot = { left: 64, top: 40, width: 280, height: 280 };
  const width = plot.left + plot.width + 200;
  const height = plot.top + plot.height + 56;
  const x = scale(0, 100, plot.left, plot.left + plot.width);
  const y = scale(0, 100, plot.top + plot.height, plot.top);
  let body = yAxis(plot, SCORE_TICKS, y, input.yLabel) + xAxis(plot, SCORE_TICKS, x, input.xLabel);
  body += el('line', { x1: x(0), y1: y(0), x2: x(100), y2: y(100), class: 'reference' }, tip('equal scores'));
  if (input.points.length === 0)
    body += text(plot.left + plot.width / 2, plot.top + plot.height / 2, input.emptyNote, {
      class: 'empty-note',
      'text-anchor': 'middle',
    });
  for (const p of input.points)
    body += el(
      'circle',
      { cx: x(p.x), cy: y(p.y), r: 4, fill: seriesColor(p.series), class: 'point mark' },
      tip(`${p.label}: ${input.xLabel} ${formatCell(p.x)}, ${input.yLabel} ${formatCell(p.y)}`),
    );
  body += legend(
    input.seriesLabels.map((label, k) => ({ label, color: seriesColor(k) })),
    plot.left + plot.width + 24,
    plot.top + 8,
  );
  return chart({ name: input.name, title: input.title, width, height }, body);
}
