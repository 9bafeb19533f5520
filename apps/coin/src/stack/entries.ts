/**
 * What the stack runs: each service's main and the S3 server's, compiled in dist/ (a source run of
 * the CLI, as in the tests, brings dist/ up to date first: tools/build-cli.mjs).
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const SERVICE_NAMES = ['orchestrator', 'data-prep', 'trainer', 'evaluator', 'judge'] as const;
export type StackServiceName = (typeof SERVICE_NAMES)[number];

const fromSources = import.meta.url.endsWith('.ts');
/** The repository root: four folders up from the source, five from dist/. */
const ROOT = fileURLToPath(new URL(fromSources ? '../../../../' : '../../../../../', import.meta.url));

export const serviceMain = (name: StackServiceName) => join(ROOT, 'dist', 'apps', name, 'src', 'main.js');
export const s3Main = () => join(ROOT, 'dist', 'apps', 'coin', 'src', 'stack', 's3-main.js');

/** Compiles what changed into dist/ when the CLI runs from its TypeScript sources. */
export async function ensureBuilt(): Promise<void> {
  if (!fromSources) return;
  const tool = (await import(pathToFileURL(join(ROOT, 'tools', 'build-cli.mjs')).href)) as {
    staleReason(): string | undefined;
    build(): Promise<number>;
  };
  if (tool.staleReason()) await tool.build();
}
