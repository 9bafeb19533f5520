/** Text into HTML and SVG: every label in a report comes from a user's file, so all of it is escaped. */
import { formatPythonFixed } from '@coin/core';
import type { Cell } from '../results/results.js';

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Safe in element content and in quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A score or metric as the report prints it: fixed decimals (Python's rounding, as `coin metrics`), `n/a` when missing. */
export function formatCell(x: Cell | undefined, digits = 2): string {
  return x === null || x === undefined ? 'n/a' : formatPythonFixed(x, digits);
}

/** Seconds as `42.0 s`, `3m 05s`, `2h 03m`. */
export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m ${String(sec).padStart(2, '0')}s`;
}
