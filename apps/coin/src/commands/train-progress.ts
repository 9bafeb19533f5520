import type { StepLog } from '@coin/training';
import { clock, etaSeconds, progressBar, REDRAW } from './progress-line.js';

/**
 * One progress bar per stage on stderr: steps done, loss, tokens/s and the time left. A terminal
 * gets one line redrawn in place; a pipe gets a line about every tenth of the stage.
 */
export class StageProgress {
  private label = '';
  private steps = 0;
  private started = 0;
  private lastPrinted = -1;

  constructor(private readonly out: NodeJS.WritableStream & { isTTY?: boolean }) {}

  start(label: string, steps: number): void {
    this.label = label;
    this.steps = steps;
    this.started = performance.now();
    this.lastPrinted = -1;
    if (steps === 0) this.out.write(`${label}: nothing to train\n`);
  }

  update(row: StepLog): void {
    const elapsed = (performance.now() - this.started) / 1000;
    const eta = etaSeconds(elapsed, row.step, row.steps);
    const line = `${this.label} ${progressBar(row.step, row.steps)} ${row.step}/${row.steps} loss ${row.loss.toFixed(4)} ${Math.round(row.tok_s)} tok/s ETA ${clock(eta)}`;
    if (this.out.isTTY) {
      this.out.write(`${REDRAW}${line}`);
      return;
    }
    const tenth = Math.floor((row.step / row.steps) * 10);
    if (tenth !== this.lastPrinted || row.step === row.steps) {
      this.lastPrinted = tenth;
      this.out.write(`${line}\n`);
    }
  }

  end(dir: string): void {
    if (this.out.isTTY && this.steps > 0) this.out.write('\n');
    this.out.write(`${this.label}: checkpoint ${dir}\n`);
  }
}
