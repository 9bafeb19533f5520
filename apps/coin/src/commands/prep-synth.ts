import type { Command } from 'commander';
import type { CliContext } from '../context.js';

// owned by the synth engineer
export function registerPrepSynth(_prep: Command, _ctx: CliContext): void {}
