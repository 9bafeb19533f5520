/**
 * Kubernetes names and label values from CoIN's own names, deterministically: the same JobSpec name
 * always gives the same Job name (so a second submit, or a restarted orchestrator, finds the Job),
 * and two different names never share one (a name that had to be changed carries a hash of the original).
 */
import { createHash } from 'node:crypto';

/** Longest Job name: the Job controller copies it into the pods' `batch.kubernetes.io/job-name` label (63). */
export const MAX_JOB_NAME = 63;
const MAX_LABEL_VALUE = 63;
const HASH_CHARS = 10;

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, HASH_CHARS);

/**
 * A DNS-1123 label (`[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters) for `name`: `name`
 * itself when it already is one, else its lower-cased, dash-joined form cut to fit and suffixed
 * with `-` and 10 hex digits of the SHA-256 of `name`.
 */
export function dnsLabel(name: string): string {
  if (name.length <= MAX_JOB_NAME && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) return name;
  const room = MAX_JOB_NAME - HASH_CHARS - 1;
  const readable = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, room)
    .replace(/^-+|-+$/g, '');
  return readable === '' ? `x-${hashOf(name)}` : `${readable}-${hashOf(name)}`;
}

/**
 * A valid label value for `value` (`([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, at most 63): the value
 * itself when valid, else a readable prefix plus a hash; the full value goes in an annotation.
 */
export function labelValue(value: string): string {
  if (value.length <= MAX_LABEL_VALUE && /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value)) return value;
  const room = MAX_LABEL_VALUE - HASH_CHARS - 1;
  const readable = value
    .replace(/[^-A-Za-z0-9_.]+/g, '-')
    .slice(0, room)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return readable === '' ? hashOf(value) : `${readable}-${hashOf(value)}`;
}

/** SHA-256 (hex) of the unit's JSON: a joined Job must run the same unit as the one submitted. */
export function unitDigest(unitJson: string): string {
  return createHash('sha256').update(unitJson).digest('hex');
}
