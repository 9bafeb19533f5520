export { type ExpandedSweep, expandSweep, MAX_SWEEP_RUNS, sweepIdOf } from './expand-sweep.js';
export { GRID_KEYS, type GridKey, gridMethods, parseGridFile } from './grid-file.js';
export { sweepBaseToProto } from './sweep-base.js';
export {
  decodeBase,
  decodeGrid,
  listSweepStates,
  newSweepRecord,
  readSweepState,
  SWEEP_STATE_FORMAT,
  type SweepAttempt,
  type SweepRecord,
  sweepStatePath,
  writeSweepState,
} from './sweep-state.js';
export { isTerminalSweep, type SweepRunView, type SweepStateName, type SweepView, sweepView } from './sweep-view.js';
export {
  type CreateSweepOptions,
  DEFAULT_MAX_ACTIVE_RUNS,
  SweepController,
  type SweepControllerOptions,
  type SweepRuns,
} from './sweep-controller.js';
