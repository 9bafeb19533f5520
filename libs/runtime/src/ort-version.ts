import { createRequire } from 'node:module';

/** The installed onnxruntime-node version (results.json's environment records it). */
export function ortVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('onnxruntime-node/package.json') as { version: string }).version;
}
