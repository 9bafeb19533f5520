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

/**
 * A progress display's output: `draw` redraws the live line in place (on a terminal only), `line`
 * prints a line for good (clearing the live one first), `end` clears what is left.
 */
export class LiveLine {
  private live = false;

  constructor(protected readonly out: NodeJS.WritableStream & { isTTY?: boolean }) {}

  protected draw(text: string): void {
    if (!this.out.isTTY) return;
    this.out.write(`${REDRAW}${text}`);
    this.live = true;
  }

  protected line(text: string): void {
    if (this.live) this.out.write(REDRAW);
    this.live = false;
    this.out.write(`${text}\n`);
  }

  end(): void {
    if (this.live) this.out.write(REDRAW);
    this.live = false;
  }
}
