/** The pieces every `coin` progress bar draws: the bar itself, a duration, the time left. */

/** `[#####.....]`: `done` of `total` over `width` characters. */
export function progressBar(done: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.round((done / total) * width) : width;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** Seconds as m:ss (minutes grow past 59). */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Seconds left at the mean pace so far. */
export function etaSeconds(elapsedSeconds: number, done: number, total: number): number {
  return done > 0 ? (elapsedSeconds / done) * (total - done) : 0;
}

/** On a terminal a line is redrawn in place: back to column 0 and clear what the last one left. */
export const REDRAW = '\r\x1b[K';
