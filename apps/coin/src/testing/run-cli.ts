import { PassThrough } from 'node:stream';
import { CliContext } from '../context.js';
import { main } from '../main.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `coin <argv>` in-process with captured output, as the tests of every command do. */
export async function runCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<CliResult> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await main(argv, env, new CliContext(out, err, env));
  return { code, stdout, stderr };
}
