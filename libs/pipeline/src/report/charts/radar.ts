/**
 * CoIN's Figure 1 (docs/protocol.md#continual-metrics): per task, the score just after its own stage
 * (a[i][i]) against the score after the last stage (a[T][i]), on one spoke per task.
 */
import type { Cell } from '../../results/results.js';
import { formatCell } from '../html.js';
import { legend } from './axes.js';
import { chart, el, polyline, SCORE_TICKS, text, tip } from './svg.js';

export interface RadarSeries {
  readonly label: string;
  readonly color: string;
  readonly values: readonly Cell[];
}

export interface RadarInput {
  readonly name: string;
  readonly title: string;
  readonly tasks: readonly string[];
  readonly series: readonly RadarSeries[];
}

const R = 120;

export function radar(input: RadarInput): string {
  const { tasks, series } = input;
  const cx = 260;
  const cy = 60 + R + 10;
  const width = 2 * cx;
  const legendTop = cy + R + 40;
  const height = legendTop + 18 * series.length;
  const n = tasks.length;
  const at = (i: number, v: number): { x: number; y: number } => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / n;
    return { x: cx + (Math.cos(angle) * (R * v)) / 100, y: cy + (Math.sin(angle) * (R * v)) / 100 };
  };
  let body = '';
  for (const ring of SCORE_TICKS.slice(1)) {
    const ringPoints = tasks.map((_, i) => at(i, ring));
    body += el('path', { d: `${polyline(ringPoints)}Z`, class: 'grid' });
    body += text(cx + 3, at(0, ring).y - 2, String(ring), { class: 'tick' });
  }
  tasks.forEach((task, i) => {
    const end = at(i, 100);
    body += el('line', { x1: cx, y1: cy, x2: end.x, y2: end.y, class: 'grid' });
    const label = at(i, 114);
    const anchor = Math.abs(label.x - cx) < 4 ? 'middle' : label.x > cx ? 'start' : 'end';
    const missing = series.filter((s) => s.values[i] === null).map((s) => s.label);
    body += text(label.x, label.y + 4, missing.length > 0 ? `${task} (n/a: ${missing.join(', ')})` : task, {
      class: 'axis-label',
      'text-anchor': anchor,
    });
  });
  for (const s of series) {
    // The polygon joins the tasks that have a score; a missing one is skipped, not drawn at 0.
    const points = s.values.flatMap((v, i) => (v === null ? [] : [{ ...at(i, v), v, i }]));
    if (points.length > 1)
      body += el('path', { d: `${polyline(points)}Z`, stroke: s.color, fill: s.color, class: 'area mark' });
    for (const p of points)
      body += el(
        'circle',
        { cx: p.x, cy: p.y, r: 3.5, fill: s.color, class: 'mark' },
        tip(`${tasks[p.i]}, ${s.label}: ${formatCell(p.v)}`),
      );
  }
  body += legend(series, cx - R, legendTop);
  return chart({ name: input.name, title: input.title, width, height }, body);
}
