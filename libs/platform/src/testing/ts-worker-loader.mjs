// A light TypeScript loader for worker processes in tests: `node --import <this file> worker.ts`.
// swc-node's register loads the TypeScript compiler to read tsconfig (about a second of CPU per
// process); this transpiles with @swc/core alone, with the settings tools/build-cli.mjs uses, and
// maps `./x.js` imports to `./x.ts` as TypeScript's nodenext resolution does. Tests only.
import { readFile } from 'node:fs/promises';
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';

// Imported with --import on the main thread: install this same file as the loader hooks.
if (isMainThread) register(import.meta.url);

const SWC_OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    target: 'es2022',
    keepClassNames: true,
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
  swcrc: false,
  configFile: false,
};

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../');
    if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !relative || !specifier.endsWith('.js')) throw e;
    return next(`${specifier.slice(0, -3)}.ts`, context);
  }
}

let swc;

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  swc ??= await import('@swc/core');
  const filename = fileURLToPath(url);
  const { code } = await swc.transform(await readFile(filename, 'utf8'), { ...SWC_OPTIONS, filename });
  return { format: 'module', source: code, shortCircuit: true };
}
