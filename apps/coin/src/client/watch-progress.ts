/**
 * WatchRun's stream as `coin run`'s progress: a line per finished stage, eval cell and judge cell,
 * and on a terminal a bar redrawn in place for the current unit (step/steps, loss, ETA); a pipe gets
 * the lines and about every tenth of a stage.
 */
import { State, type WatchRunResponse } from '@coin/contracts';
import { clock, etaSeconds, progressBar, LiveLine } from '../commands/progress-line.js';
import { stateName } from './run-view.js';

export class WatchProgress extends LiveLine {
  private unit = '';
  private started = 0;
  private lastTenth = -1;

  on(m: WatchRunResponse): void {
    if (m.stage && m.stage.state === State.STATE_SUCCEEDED)
      this.line(
        `stage ${m.stage.index} ${m.stage.task}: done${m.stage.finalLoss !== undefined ? `, loss ${m.stage.finalLoss.toFixed(4)}` : ''}`,
      );
    if (m.evalCell && m.evalCell.state === State.STATE_SUCCEEDED)
      this.line(`eval after stage ${m.evalCell.stageIndex}, ${m.evalCell.task}: ${m.evalCell.accuracy.toFixed(1)}`);
    if (m.judgeCell && m.judgeCell.state === State.STATE_SUCCEEDED)
      this.line(`judge after stage ${m.judgeCell.stageIndex}, ${m.judgeCell.task}: ${m.judgeCell.score.toFixed(1)}`);
    const p = m.progress;
    if (!p) return;
    if (p.currentUnit !== this.unit) {
      this.unit = p.currentUnit;
      this.started = performance.now();
      this.lastTenth = -1;
    }
    const units = `${progressBar(p.completedUnits, p.totalUnits)} ${p.completedUnits}/${p.totalUnits} units`;
    if (p.totalSteps > 0) {
      const elapsed = (performance.now() - this.started) / 1000;
      const text = `${units} ${p.currentUnit} step ${p.step}/${p.totalSteps}${p.loss !== undefined ? ` loss ${p.loss.toFixed(4)}` : ''} ETA ${clock(etaSeconds(elapsed, p.step, p.totalSteps))}`;
      const tenth = Math.floor((p.step / p.totalSteps) * 10);
      if (this.out.isTTY) this.draw(text);
      else if (tenth !== this.lastTenth) {
        this.lastTenth = tenth;
        this.out.write(`${text}\n`);
      }
    } else if (this.out.isTTY) this.draw(`${units} ${stateName(p.state)}${p.currentUnit ? ` ${p.currentUnit}` : ''}`);
  }
}
