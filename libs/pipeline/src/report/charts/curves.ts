/** Per-task curves across stages: one line per task, from the stage that trained it to the last. */
import type { Cell } from '../../results/results.js';
import { formatCell } from '../html.js';
import { legend, type Plot, scale, yAxis } from './axes.js';
import { chart, el, num, polyline, SCORE_TICKS, seriesColor, text, tip } from './svg.js';

export interface CurvesInput {
  readonly name: string;
  readonly title: string;
  readonly tasks: readonly string[];
  /** One short label per stage (x axis). */
  readonly stageLabels: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

export function curves(input: CurvesInput): string {
  const { tasks, rows, stageLabels } = input;
  const stages = rows.length;
  const plot: Plot = { left: 64, top: 40, width: Math.max(260, 56 * stages), height: 240 };
  const width = plot.left + plot.width + 180;
  const height = plot.top + plot.height + 80;
  const x = scale(0, Math.max(stages - 1, 1), plot.left + 16, plot.left + plot.width - 16);
  const y = scale(0, 100, plot.top + plot.height, plot.top);
  let body = yAxis(plot, SCORE_TICKS, y, 'score');
  const bottom = plot.top + plot.height;
  stageLabels.forEach((label, j) => {
    body += text(x(j), bottom + 14, label, {
      class: 'tick',
      'text-anchor': 'end',
      transform: `rotate(-35 ${num(x(j))} ${num(bottom + 14)})`,
    });
  });
  tasks.forEach((task, i) => {
    const color = seriesColor(i);
    const points = rows.map((row, j) => {
      const v = row[i];
      return v === undefined || v === null ? null : { x: x(j), y: y(v), v, j };
    });
    const d = polyline(points);
    if (d !== '') body += el('path', { d, stroke: color, class: 'series mark' });
    for (const p of points) {
      if (p === null) continue;
      body += el(
        'circle',
        { cx: p.x, cy: p.y, r: 3.5, fill: color, class: 'mark' },
        tip(`${task} after ${stageLabels[p.j]}: ${formatCell(p.v)}`),
      );
    }
  });
  body += legend(
    tasks.map((label, i) => ({ label, color: seriesColor(i) })),
    plot.left + plot.width + 20,
    plot.top + 8,
  );
  return chart({ name: input.name, title: input.title, width, height }, body);
}
