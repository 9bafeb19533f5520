import { ewc } from './ewc.js';
import { full } from './full.js';
import { lora } from './lora.js';
import { lwf } from './lwf.js';
import { type AnyMethod, MethodRegistry, registryEntry } from './method.js';
import { moelora } from './moelora.js';
import { multitask } from './multitask.js';
import { olora } from './olora.js';
import { replay } from './replay.js';
import { zeroshot } from './zeroshot.js';

/**
 * Every method `coin train --method` accepts. Adding a method is one line here (and its module);
 * the loop and the CLI read everything else from the entry.
 */
const ALL: readonly AnyMethod[] = [
  registryEntry(lora),
  registryEntry(moelora),
  registryEntry(full),
  multitask,
  zeroshot,
  registryEntry(replay),
  registryEntry(ewc),
  registryEntry(lwf),
  registryEntry(olora),
];

export const METHODS = new MethodRegistry(ALL);
