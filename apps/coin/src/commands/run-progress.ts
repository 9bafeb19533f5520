import type { RunEvent } from '@coin/pipeline';
import { clock, etaSeconds, progressBar, LiveLine } from './progress-line.js';

/** Under a minute in tenths of a second, else m:ss. */
const duration = (s: number) => (s < 60 ? `${s.toFixed(1)} s` : clock(s));

/**
 * `coin run`'s progress on stderr: a line per finished unit (computed, or found in the store), and
 * for the unit running a bar redrawn in place on a terminal — stage steps with loss and ETA, eval
 * answers per task. A pipe gets the finished-unit lines and about every tenth of a stage.
 */
export class RunProgress extends LiveLine {
  private started = 0;
  private lastTenth = -1;
  private cachedCount = 0;

  on(e: RunEvent): void {
    switch (e.type) {
      case 'plan':
        this.line(`run ${e.plan.runId}: ${e.plan.stages.length} stages, ${e.plan.judges.length} evaluation cells`);
        return;
      case 'unit-start':
        this.started = performance.now();
        this.lastTenth = -1;
        this.draw(`${e.label} …`);
        return;
      case 'unit-done':
        if (e.cached) {
          this.cachedCount += 1;
          if (e.kind === 'judge' || e.kind === 'eval') return;
          this.line(`${e.label}: in the store`);
          return;
        }
        this.line(`${e.label}: done in ${duration(e.wall_s)}`);
        return;
      case 'unit-corrupt':
        this.line(`${e.label}: stored output is damaged (${e.reason}); computing it again`);
        return;
      case 'progress':
        this.progress(e.label, e.event);
        return;
    }
  }

  /** Units found in the store so far (the summary says how much was reused). */
  get reused(): number {
    return this.cachedCount;
  }

  private progress(label: string, ev: Readonly<Record<string, unknown>>): void {
    const elapsed = (performance.now() - this.started) / 1000;
    const n = (k: string) => Number(ev[k] ?? 0);
    if (ev.type === 'step' || ev.type === 'pretrain') {
      const step = n('step');
      const steps = n('steps');
      const text = `${label} ${progressBar(step, steps)} ${step}/${steps} loss ${n('loss').toFixed(4)} ETA ${clock(etaSeconds(elapsed, step, steps))}`;
      const tenth = Math.floor((step / Math.max(1, steps)) * 10);
      if (this.out.isTTY) this.draw(text);
      else if (tenth !== this.lastTenth) {
        this.lastTenth = tenth;
        this.out.write(`${text}\n`);
      }
    } else if (ev.type === 'eval' && this.out.isTTY) {
      this.draw(
        `${label}: ${String(ev.task)} ${progressBar(n('done'), n('total'))} ${n('done')}/${n('total')} batches`,
      );
    }
  }
}
