/**
 * `<store>/stack/stack.json`: what `coin stack up` started (docs/file-formats.md#stack-file), read
 * by `coin stack down`, `coin stack status` and the client commands (the orchestrator's address).
 * Written atomically, once every process is up; removed by `coin stack down`.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CoinError, writeFileAtomic } from '@coin/core';

export const STACK_FORMAT = 'coin-stack-1';

export interface StackProcess {
  /** `broker`, `s3`, or a service: `orchestrator`, `data-prep`, `trainer`, `evaluator`, `judge`. */
  readonly name: string;
  readonly pid: number;
  /** `host:port` (a service, the broker) or the S3 endpoint URL. */
  readonly address: string;
  readonly log: string;
}

export interface StackFile {
  readonly format: typeof STACK_FORMAT;
  readonly store: string;
  readonly startedAt: string;
  /** Kafka bootstrap brokers; `local` when the stack started the mock broker. */
  readonly kafka: { readonly brokers: readonly string[]; readonly local: boolean };
  /** The S3 service; `local` when the stack started s3rver. */
  readonly s3: { readonly endpoint: string; readonly bucket: string; readonly local: boolean };
  /** Every process the stack started, in start order (the broker and S3 first when local). */
  readonly processes: readonly StackProcess[];
}

export const stackDir = (store: string) => join(store, 'stack');
export const stackFilePath = (store: string) => join(stackDir(store), 'stack.json');
export const logPath = (store: string, name: string) => join(stackDir(store), 'logs', `${name}.log`);

/** The stack file of `store`, or undefined when there is none. */
export async function readStackFile(store: string): Promise<StackFile | undefined> {
  let text: string;
  try {
    text = await readFile(stackFilePath(store), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let parsed: StackFile;
  try {
    parsed = JSON.parse(text) as StackFile;
  } catch {
    parsed = {} as StackFile;
  }
  if (parsed.format !== STACK_FORMAT || !Array.isArray(parsed.processes))
    throw new CoinError(
      'STACK.BAD_FILE',
      'DATA_LOSS',
      `${stackFilePath(store)} is not a stack file this version reads`,
      {
        hint: 'stop the processes it names by hand, then delete the file',
      },
    );
  return parsed;
}

export function writeStackFile(stack: StackFile): Promise<void> {
  return writeFileAtomic(stackFilePath(stack.store), `${JSON.stringify(stack, null, 2)}\n`);
}

export function removeStackFile(store: string): Promise<void> {
  return rm(stackFilePath(store), { force: true });
}
