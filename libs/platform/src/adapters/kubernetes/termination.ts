/**
 * The contract between a worker pod and KubernetesJobScheduler (docs/protocol.md#worker-pods):
 * the worker writes one JSON object to its termination-message file (`/dev/termination-log`,
 * at most 4096 bytes, which the kubelet copies into the pod's status) and exits with a code that
 * tells the Job's podFailurePolicy whether another pod can help:
 *
 * - 0: `{"v":1,"type":"result","result":{…}}`, the unit's result;
 * - 1: `{"v":1,"type":"error",code,kind,message}`, a CoinError another attempt may fix (counts
 *   against backoffLimit);
 * - 2: the same, for a kind that no attempt can fix (INVALID_ARGUMENT, NOT_FOUND,
 *   FAILED_PRECONDITION): podFailurePolicy fails the Job at once (FailJob).
 *
 * Any other exit (a crash, OOMKilled = 137) leaves no such message; the pod's log tail takes its
 * place (terminationMessagePolicy FallbackToLogsOnError). This file imports no Kubernetes client:
 * the worker side uses it too.
 */
import type { ErrorKind } from '@coin/core';
import { isObject } from '@coin/core';
import { isRetryableKind } from '../worker-protocol.js';

export const TERMINATION_LOG = '/dev/termination-log';
/** The kubelet keeps at most 4096 bytes of one container's termination message. */
export const MAX_TERMINATION_BYTES = 4096;

export const EXIT_SUCCEEDED = 0;
export const EXIT_RETRYABLE = 1;
/** The exit code the Job's podFailurePolicy turns into FailJob (no retry). */
export const EXIT_PERMANENT = 2;

export type TerminationMessage =
  | { readonly v: 1; readonly type: 'result'; readonly result: Readonly<Record<string, unknown>> }
  | {
      readonly v: 1;
      readonly type: 'error';
      readonly code: string;
      readonly kind: ErrorKind;
      readonly message: string;
    };

/** The exit code that goes with a termination message. */
export function exitCodeOf(message: TerminationMessage): number {
  if (message.type === 'result') return EXIT_SUCCEEDED;
  return isRetryableKind(message.kind) ? EXIT_RETRYABLE : EXIT_PERMANENT;
}

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * The message as it is written: an error's text is cut to fit; a result that does not fit becomes
 * a permanent JOB.RESULT_TOO_LARGE error (the same unit would produce it again), so nothing is
 * ever truncated silently.
 */
export function encodeTermination(message: TerminationMessage): string {
  const text = JSON.stringify(message);
  if (bytes(text) <= MAX_TERMINATION_BYTES) return text;
  if (message.type === 'result') {
    return encodeTermination({
      v: 1,
      type: 'error',
      code: 'JOB.RESULT_TOO_LARGE',
      kind: 'FAILED_PRECONDITION',
      message: `the unit's result is ${bytes(text)} bytes of JSON; a worker pod can report at most ${MAX_TERMINATION_BYTES} (write large outputs to the object store and return their keys)`,
    });
  }
  // Each character dropped takes at least one byte of JSON with it, so this ends in a few rounds.
  const marker = ' …[cut]';
  let cut = message.message;
  for (;;) {
    const over = bytes(JSON.stringify({ ...message, message: cut + marker })) - MAX_TERMINATION_BYTES;
    if (over <= 0 || cut === '') break;
    cut = cut.slice(0, Math.max(0, cut.length - over));
  }
  return JSON.stringify({ ...message, message: cut + marker });
}

/** The message a pod left, or undefined when it left none of ours (a crash: the text is its log tail). */
export function decodeTermination(text: string | undefined): TerminationMessage | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || parsed.v !== 1) return undefined;
  if (parsed.type === 'result' && isObject(parsed.result)) return parsed as TerminationMessage;
  if (
    parsed.type === 'error' &&
    typeof parsed.code === 'string' &&
    typeof parsed.kind === 'string' &&
    typeof parsed.message === 'string'
  ) {
    return parsed as TerminationMessage;
  }
  return undefined;
}
