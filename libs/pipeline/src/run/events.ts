/** What `executeRun` tells its caller as it goes (the CLI draws progress from these). */
import type { RunPlan } from '../plan/units.js';

export type RunEvent =
  | { readonly type: 'plan'; readonly plan: RunPlan }
  | { readonly type: 'unit-start'; readonly kind: string; readonly label: string }
  | {
      readonly type: 'unit-done';
      readonly kind: string;
      readonly label: string;
      readonly cached: boolean;
      readonly wall_s: number;
      /** Units it finished: the cells of an eval or judge job, else 1. */
      readonly units: number;
    }
  | { readonly type: 'unit-corrupt'; readonly label: string; readonly reason: string }
  | { readonly type: 'progress'; readonly label: string; readonly event: Readonly<Record<string, unknown>> };
