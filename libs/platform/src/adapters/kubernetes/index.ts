/**
 * @coin/platform/kubernetes: the Kubernetes JobScheduler, a subpath of its own so that importing
 * @coin/platform does not load @kubernetes/client-node (~0.7 s) in every process.
 */
export {
  ANNOTATION,
  COMPONENT,
  coinJobLabels,
  instanceSelector,
  type KubernetesSettings,
  LABEL,
  MANAGED_BY,
  MAX_UNIT_BYTES,
  type Shards,
  WORKER_CONTAINER,
} from './job-manifest.js';
export type { KubeConnection } from './kube-client.js';
export { KubernetesJobScheduler, type KubernetesSchedulerOptions } from './kubernetes-scheduler.js';
export {
  EXIT_PERMANENT,
  EXIT_RETRYABLE,
  EXIT_SUCCEEDED,
  MAX_TERMINATION_BYTES,
  TERMINATION_LOG,
  type TerminationMessage,
} from './termination.js';
