import type { RunSpecInput } from '@coin/pipeline';

/** Injection token of the orchestrator's own options. */
export const ORCHESTRATOR_OPTIONS = Symbol('coin.orchestrator-options');

export interface OrchestratorOptions {
  /** What the wire spec cannot say yet (world size, pretraining steps, eval batch): see spec-wire.ts. */
  readonly specDefaults?: Partial<RunSpecInput>;
}
