/** Stage × task heatmap of a results matrix, each cell's score printed in it (n/a where missing). */
import type { Cell } from '../../results/results.js';
import { formatCell } from '../html.js';
import { chart, el, scoreColor, text, tip } from './svg.js';

export interface HeatmapInput {
  readonly name: string;
  readonly title: string;
  readonly tasks: readonly string[];
  /** One label per row, e.g. `after 3 · ImageNet`. */
  readonly rowLabels: readonly string[];
  /** rows[r][i]; a row shorter than the task list (lower-triangular) leaves the rest blank. */
  readonly rows: readonly (readonly Cell[])[];
}

const CELL_W = 64;
const CELL_H = 26;
const LEFT = 170;
const TOP = 96;

export function heatmap(input: HeatmapInput): string {
  const { tasks, rows, rowLabels } = input;
  const width = Math.max(420, LEFT + CELL_W * tasks.length + 16);
  const height = TOP + CELL_H * Math.max(rows.length, 1) + 16;
  let body = '';
  tasks.forEach((task, i) => {
    const x = LEFT + CELL_W * i + CELL_W / 2;
    body += text(x, TOP - 8, task, { class: 'axis-label', transform: `rotate(-35 ${x} ${TOP - 8})` });
  });
  if (rows.length === 0) body += text(LEFT, TOP + CELL_H / 2 + 4, 'not evaluated in this run', { class: 'empty-note' });
  rows.forEach((row, r) => {
    const y = TOP + CELL_H * r;
    body += text(LEFT - 8, y + CELL_H / 2 + 4, rowLabels[r], { class: 'axis-label', 'text-anchor': 'end' });
    row.forEach((value, i) => {
      const x = LEFT + CELL_W * i;
      const where = `${rowLabels[r]}, ${tasks[i]}: ${formatCell(value)}`;
      const color = value === null ? { fill: '#ececec', ink: '#6b6b6b' } : scoreColor(value);
      body += el(
        'rect',
        { x, y, width: CELL_W - 2, height: CELL_H - 2, fill: color.fill, class: 'cell mark' },
        tip(where),
      );
      body += text(x + (CELL_W - 2) / 2, y + CELL_H / 2 + 3, formatCell(value), {
        'text-anchor': 'middle',
        fill: color.ink,
        class: 'cell-value',
      });
    });
  });
  return chart({ name: input.name, title: input.title, width, height }, body);
}
