/**
 * A small progress reporter for long work (GQA's million questions, hashing images). On a TTY it
 * redraws one line in place; elsewhere (CI logs, files) it prints a plain line at most every
 * `logIntervalMs`, so logs stay readable.
 */
export interface ProgressOptions {
  /** Total units, when known; without it only the count and rate are shown. */
  readonly total?: number;
  /** Minimum time between redraws/log lines. */
  readonly intervalMs?: number;
  readonly logIntervalMs?: number;
  /** Clock, for tests. */
  readonly now?: () => number;
  /** Bar width in characters. */
  readonly width?: number;
}

interface MaybeTty {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export class Progress {
  private done = 0;
  private readonly started: number;
  private lastDraw: number;
  private readonly tty: boolean;
  private readonly now: () => number;
  private finished = false;

  constructor(
    private readonly stream: MaybeTty,
    private readonly label: string,
    private readonly options: ProgressOptions = {},
  ) {
    this.tty = stream.isTTY === true;
    this.now = options.now ?? Date.now;
    this.started = this.now();
    // The first line comes one interval in: a rate measured over no time means nothing.
    this.lastDraw = this.started;
  }

  /** Adds `n` finished units; draws if enough time has passed. */
  tick(n = 1): void {
    this.done += n;
    const now = this.now();
    const interval = this.tty ? (this.options.intervalMs ?? 100) : (this.options.logIntervalMs ?? 10000);
    if (now - this.lastDraw >= interval) {
      this.lastDraw = now;
      this.draw(now, false);
    }
  }

  /** Final line (always printed), e.g. "ScienceQA train: 12726 done in 3.1s". */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.draw(this.now(), true);
  }

  get count(): number {
    return this.done;
  }

  private draw(now: number, final: boolean): void {
    const seconds = Math.max((now - this.started) / 1000, 1e-9);
    const rate = this.done / seconds;
    const total = this.options.total;
    let text: string;
    if (final) {
      text = `${this.label}: ${this.done} done in ${seconds.toFixed(1)}s`;
    } else if (total !== undefined && total > 0) {
      const fraction = Math.min(1, this.done / total);
      const width = this.options.width ?? 24;
      const filled = Math.round(fraction * width);
      const eta = rate > 0 ? (total - this.done) / rate : Infinity;
      const bar = this.tty ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
      text = `${this.label}: ${bar}${this.done}/${total} (${(fraction * 100).toFixed(1)}%) ${formatRate(rate)}/s eta ${Number.isFinite(eta) ? `${eta.toFixed(0)}s` : '?'}`;
    } else {
      text = `${this.label}: ${this.done} ${formatRate(rate)}/s`;
    }
    if (this.tty) this.stream.write(`\r\x1b[2K${text}${final ? '\n' : ''}`);
    else this.stream.write(`${text}\n`);
  }
}

function formatRate(rate: number): string {
  return rate >= 100 ? rate.toFixed(0) : rate.toFixed(1);
}
