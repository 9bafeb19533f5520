import { type AnyMethod, MethodRegistry } from './method.js';

/**
 * Every method `coin train --method` accepts. Adding a method is one line here (and its module);
 * the loop and the CLI read everything else from the entry.
 */
const ALL: readonly AnyMethod[] = [];

export const METHODS = new MethodRegistry(ALL);
