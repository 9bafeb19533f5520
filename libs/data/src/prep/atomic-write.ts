// Atomic file writes live in @coin/core (one implementation for every lib); re-exported for data's callers.
export { tempPathBeside, writeFileAtomic } from '@coin/core';
