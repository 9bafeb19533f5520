import { ewc } from './ewc.js';
import { lwf } from './lwf.js';
import { type AnyMethod, MethodRegistry } from './method.js';
import { olora } from './olora.js';
import { replay } from './replay.js';

/**
 * Every method `coin train --method` accepts. Adding a method is one line here (and its module);
 * the loop and the CLI read everything else from the entry.
 */
// Each entry's hyper-parameter and state types are erased here: its own flags parse its own hyper.
const ALL: readonly AnyMethod[] = [replay, ewc, lwf, olora] as unknown as readonly AnyMethod[];

export const METHODS = new MethodRegistry(ALL);
