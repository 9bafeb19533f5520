import { createRequire } from 'node:module';
import type * as Canvas from '@napi-rs/canvas';

let loaded: typeof Canvas | undefined;

/**
 * @napi-rs/canvas, loaded on first use rather than on import: loading the native addon takes
 * ~50 ms, and every `coin` call imports this library while only CoIN-Synth renders.
 */
export function canvasModule(): typeof Canvas {
  loaded ??= createRequire(import.meta.url)('@napi-rs/canvas') as typeof Canvas;
  return loaded;
}
