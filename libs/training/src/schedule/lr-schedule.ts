import { invalidArgument } from '@coin/core';

/**
 * Host-side learning-rate schedules, one rate per parameter group per optimizer step
 * (docs/protocol.md#training-hyper-parameters). Step numbers are 1-based: `rateAt(1)` is the rate
 * the first optimizer update uses.
 */
export interface LrSchedule {
  /** Optimizer steps in the stage. */
  readonly totalSteps: number;
  /** Warm-up steps: ceil(warmupRatio × totalSteps), as Hugging Face's Trainer counts them. */
  readonly warmupSteps: number;
  /** The rate of each parameter group at optimizer step `step` (1-based). */
  rateAt(step: number): Readonly<Record<string, number>>;
}

export interface ScheduleOptions {
  readonly totalSteps: number;
  readonly warmupRatio: number; // 0.03 in CoIN
  /** Peak rate per parameter group, e.g. { default: 2e-4, projector: 2e-5 }. */
  readonly peak: Readonly<Record<string, number>>;
}

export function warmupSteps(totalSteps: number, warmupRatio: number): number {
  return Math.ceil(warmupRatio * totalSteps);
}

/**
 * CoIN's effective schedule (fidelity `coin`): DeepSpeed's WarmupLR, which replaces the requested
 * cosine. The rate rises logarithmically from 0 to the peak over W warm-up iterations,
 * peak · ln(i + 1) / ln(max(2, W)) at scheduler iteration i, then stays constant. DeepSpeed sets
 * the rate of iteration −1 (0) when it is created and steps the scheduler after each optimizer
 * update, so update k runs at iteration k − 2: the first two updates run at rate 0. Every group
 * gets the same rate (DeepSpeed's optimizer ignores per-group rates: the projector trains at the
 * LoRA rate).
 */
export function deepSpeedWarmupLr(o: ScheduleOptions): LrSchedule {
  check(o);
  const warmup = warmupSteps(o.totalSteps, o.warmupRatio);
  const span = Math.max(2, warmup);
  const peak = o.peak.default;
  const groups = Object.keys(o.peak);
  const rate = (step: number): number => {
    const iteration = step - 2;
    if (iteration < 0) return 0;
    return iteration < span ? (peak * Math.log(iteration + 1)) / Math.log(span) : peak;
  };
  return {
    totalSteps: o.totalSteps,
    warmupSteps: warmup,
    rateAt: (step) => {
      checkStep(step, o.totalSteps);
      const r = rate(step);
      return Object.fromEntries(groups.map((g) => [g, r]));
    },
  };
}

/**
 * The schedule CoIN's scripts ask for (fidelity `strict`): Hugging Face's linear warm-up then
 * cosine decay to 0, each group from its own peak (the projector at its own rate). Update k runs
 * at the scheduler's step k − 1: (k − 1) / W during warm-up, then ½(1 + cos(π·p)) with
 * p = (k − 1 − W) / (total − W).
 */
export function warmupCosine(o: ScheduleOptions): LrSchedule {
  check(o);
  const warmup = warmupSteps(o.totalSteps, o.warmupRatio);
  const factor = (step: number): number => {
    const s = step - 1;
    if (s < warmup) return s / Math.max(1, warmup);
    const progress = (s - warmup) / Math.max(1, o.totalSteps - warmup);
    return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
  };
  return {
    totalSteps: o.totalSteps,
    warmupSteps: warmup,
    rateAt: (step) => {
      checkStep(step, o.totalSteps);
      const f = factor(step);
      return Object.fromEntries(Object.entries(o.peak).map(([g, peak]) => [g, peak * f]));
    },
  };
}

function check(o: ScheduleOptions): void {
  if (!Number.isInteger(o.totalSteps) || o.totalSteps < 1) {
    throw invalidArgument('TRAIN.BAD_SCHEDULE', `a stage needs at least one optimizer step, got ${o.totalSteps}`);
  }
  if (!(o.warmupRatio >= 0 && o.warmupRatio < 1)) {
    throw invalidArgument('TRAIN.BAD_SCHEDULE', `warm-up ratio must be in [0, 1), got ${o.warmupRatio}`);
  }
  if (!('default' in o.peak)) {
    throw invalidArgument('TRAIN.BAD_SCHEDULE', 'the schedule needs a peak rate for the `default` group');
  }
  for (const [group, peak] of Object.entries(o.peak)) {
    if (!(Number.isFinite(peak) && peak >= 0)) {
      throw invalidArgument('TRAIN.BAD_SCHEDULE', `peak rate of group ${group} must be ≥ 0, got ${peak}`);
    }
  }
}

function checkStep(step: number, total: number): void {
  if (!Number.isInteger(step) || step < 1 || step > total) {
    throw invalidArgument('TRAIN.BAD_SCHEDULE', `optimizer step ${step} is outside 1..${total}`);
  }
}
