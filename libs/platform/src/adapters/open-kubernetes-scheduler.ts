/**
 * KubernetesJobScheduler for a process that needs it only sometimes (the trainer, when
 * `kubernetes.trainerImage` is set): @kubernetes/client-node (~0.7 s to load) is loaded on the
 * first call, never by importing @coin/platform.
 */
import type { KubernetesSchedulerOptions } from './kubernetes/kubernetes-scheduler.js';
import type { JobScheduler } from '../ports/job-scheduler.js';

export async function openKubernetesScheduler(options: KubernetesSchedulerOptions): Promise<JobScheduler> {
  const { KubernetesJobScheduler } = await import('./kubernetes/kubernetes-scheduler.js');
  return new KubernetesJobScheduler(options);
}
