import { ewc } from './ewc.js';
import { full } from './full.js';
import { lora } from './lora.js';
import { lwf } from './lwf.js';
import { type AnyMethod, MethodRegistry } from './method.js';
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
  lora as unknown as AnyMethod,
  moelora as unknown as AnyMethod,
  full as unknown as AnyMethod,
  multitask,
  zeroshot,
  replay as unknown as AnyMethod,
  ewc as unknown as AnyMethod,
  lwf as unknown as AnyMethod,
  olora as unknown as AnyMethod,
];

export const METHODS = new MethodRegistry(ALL);
