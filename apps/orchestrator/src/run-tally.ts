/**
 * Turns executeRun's events into RunProgress snapshots: which stages, evaluation and judge cells
 * are done (by the labels the plan gives them), the unit being computed, its step and loss.
 */
import type { RunEvent, RunPlan, Unit } from '@coin/pipeline';
import type { Count, RunProgress, RunState } from './run-controller.port.js';

type Tracked = 'stage' | 'eval' | 'judge';

export class RunTally {
  #plan: RunPlan | undefined;
  /** Label → the tracked units it finishes (an eval job's label finishes all its cells). */
  readonly #byLabel = new Map<string, Unit[]>();
  readonly #done = new Set<string>();
  #current: RunProgress['current'];
  #step: { step?: number; steps?: number; loss?: number } = {};
  #counts: { stages: Count; evalCells: Count; judgeCells: Count };

  constructor(initial?: RunProgress) {
    this.#counts = {
      stages: initial?.stages ?? { done: 0, total: 0 },
      evalCells: initial?.evalCells ?? { done: 0, total: 0 },
      judgeCells: initial?.judgeCells ?? { done: 0, total: 0 },
    };
  }

  snapshot(state: RunState, cause: RunProgress['cause'], changed?: RunProgress['changed']): RunProgress {
    const { stages, evalCells, judgeCells } = this.#counts;
    const where = this.#current ? `: ${this.#current.label}` : '';
    const step = this.#step.steps ? ` ${this.#step.step ?? 0}/${this.#step.steps}` : '';
    const message = `${state.toLowerCase()}: stages ${stages.done}/${stages.total}, eval ${evalCells.done}/${evalCells.total}, judge ${judgeCells.done}/${judgeCells.total}${where}${step}`;
    return {
      state,
      cause,
      stages,
      evalCells,
      judgeCells,
      ...(this.#current ? { current: this.#current } : {}),
      ...this.#step,
      ...(changed ? { changed } : {}),
      message,
      updatedAt: new Date().toISOString(),
    };
  }

  /** The snapshots an event causes (several when one job finished several cells). */
  on(event: RunEvent, state: RunState): RunProgress[] {
    switch (event.type) {
      case 'plan':
        this.#setPlan(event.plan);
        return [this.snapshot(state, 'state')];
      case 'unit-start':
        this.#current = { kind: event.kind, label: event.label };
        this.#step = {};
        return [this.snapshot(state, 'step')];
      case 'progress':
        return this.#onProgress(event.event) ? [this.snapshot(state, 'step')] : [];
      case 'unit-done': {
        const finished = (this.#byLabel.get(event.label) ?? []).filter((u) => !this.#done.has(u.key));
        if (this.#current?.label === event.label) {
          this.#current = undefined;
          this.#step = {};
        }
        if (finished.length === 0) return [this.snapshot(state, 'step')];
        return finished.map((u) => {
          this.#done.add(u.key);
          this.#count(u.kind as Tracked);
          return this.snapshot(state, 'unit', { kind: u.kind as Tracked, key: u.key });
        });
      }
      default:
        return [];
    }
  }

  #setPlan(plan: RunPlan): void {
    this.#plan = plan;
    const add = (label: string, unit: Unit) => this.#byLabel.set(label, [...(this.#byLabel.get(label) ?? []), unit]);
    for (const s of plan.stages) add(s.label, s);
    const groups: [string, readonly Unit[]][] = [['evals of the base', plan.zeroShot]];
    plan.stages.forEach((s, k) => groups.push([`evals after ${s.label}`, plan.evals[k]]));
    for (const [label, cells] of groups)
      for (const c of cells) {
        add(label, c);
        add(c.label, c);
      }
    for (const j of plan.judges) add(j.label, j);
    this.#counts = {
      stages: { done: 0, total: plan.stages.length },
      evalCells: { done: 0, total: plan.zeroShot.length + plan.evals.flat().length },
      judgeCells: { done: 0, total: plan.judges.length },
    };
    this.#done.clear();
  }

  #count(kind: Tracked): void {
    const key = kind === 'stage' ? 'stages' : kind === 'eval' ? 'evalCells' : 'judgeCells';
    const c = this.#counts[key];
    this.#counts = { ...this.#counts, [key]: { done: c.done + 1, total: c.total } };
  }

  #onProgress(e: Readonly<Record<string, unknown>>): boolean {
    const n = (v: unknown) => (typeof v === 'number' ? v : undefined);
    if (e.type === 'step' || e.type === 'pretrain')
      this.#step = { step: n(e.step), steps: n(e.steps), loss: n(e.loss) };
    else if (e.type === 'stage-start') this.#step = { step: 0, steps: n(e.steps) };
    else if (e.type === 'eval') this.#step = { step: n(e.done), steps: n(e.total) };
    else return false;
    return true;
  }

  get plan(): RunPlan | undefined {
    return this.#plan;
  }
}
