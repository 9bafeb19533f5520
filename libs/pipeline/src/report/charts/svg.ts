/**
 * The few SVG primitives the charts draw with. Coordinates go through `num`, which refuses a
 * non-finite number: a NaN reaching a chart is a bug here, and it fails loudly instead of drawing
 * an invisible mark.
 */
import { escapeHtml } from '../html.js';

export type Attrs = Readonly<Record<string, string | number | undefined>>;

/** A coordinate, rounded to 0.01 px. */
export function num(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`report chart: non-finite coordinate ${x}`);
  return String(Math.round(x * 100) / 100);
}

function attrs(a: Attrs): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? num(v) : escapeHtml(v!)}"`)
    .join('');
}

/** An element; `content` is markup already (escape text with `text`). */
export function el(tag: string, a: Attrs, content = ''): string {
  return content === '' ? `<${tag}${attrs(a)}/>` : `<${tag}${attrs(a)}>${content}</${tag}>`;
}

export function text(x: number, y: number, content: string, a: Attrs = {}): string {
  return el('text', { x, y, ...a }, escapeHtml(content));
}

/** A tooltip: the `<title>` child a browser shows on hover. */
export function tip(content: string): string {
  return `<title>${escapeHtml(content)}</title>`;
}

/** A path through points; a null point breaks the line (a missing cell is not interpolated). */
export function polyline(points: readonly ({ x: number; y: number } | null)[]): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (p === null) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${num(p.x)},${num(p.y)}`;
    pen = true;
  }
  return d;
}

export interface ChartFrame {
  /** The `data-chart` name tests and readers find the chart by. */
  readonly name: string;
  readonly title: string;
  readonly width: number;
  readonly height: number;
}

/**
 * The chart's `<svg>`: its title as `<title>` (for screen readers) and drawn on top. Marks that
 * draw data (a cell, a bar, a point, a line) carry the class `mark`.
 */
export function chart(frame: ChartFrame, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" data-chart="${escapeHtml(frame.name)}" role="img"` +
    ` viewBox="0 0 ${num(frame.width)} ${num(frame.height)}" width="${num(frame.width)}" height="${num(frame.height)}">` +
    `<title>${escapeHtml(frame.title)}</title>` +
    text(frame.width / 2, 18, frame.title, { class: 'chart-title', 'text-anchor': 'middle' }) +
    body +
    '</svg>'
  );
}

/** Ten distinct colours for tasks and series (Tableau 10), reused in order past ten. */
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

export function seriesColor(k: number): string {
  return PALETTE[k % PALETTE.length];
}

/** A score 0–100 as a sequential blue (light = low, dark = high) and the text colour readable on it. */
const STOPS: readonly (readonly [number, number, number])[] = [
  [247, 251, 255],
  [198, 219, 239],
  [107, 174, 214],
  [33, 113, 181],
  [8, 48, 107],
];

export function scoreColor(score: number): { fill: string; ink: string } {
  const t = Math.min(1, Math.max(0, score / 100)) * (STOPS.length - 1);
  const k = Math.min(STOPS.length - 2, Math.floor(t));
  const f = t - k;
  const [r, g, b] = STOPS[k].map((c, n) => Math.round(c + (STOPS[k + 1][n] - c) * f));
  const hex = (c: number): string => c.toString(16).padStart(2, '0');
  return { fill: `#${hex(r)}${hex(g)}${hex(b)}`, ink: score > 55 ? '#ffffff' : '#1a1a1a' };
}

/** y ticks for a 0–100 score axis. */
export const SCORE_TICKS = [0, 25, 50, 75, 100] as const;

/** Round tick steps (1, 2, 5 × 10^k) covering 0..max with about `count` ticks. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Math.round(v / step) * step);
  return ticks;
}
