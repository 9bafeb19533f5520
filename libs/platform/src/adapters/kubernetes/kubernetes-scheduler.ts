/**
 * The cluster JobScheduler (docs/protocol.md#worker-pods): each JobSpec is one batch/v1 Job (or an
 * Indexed Job of shards, `submitIndexed`) named from the JobSpec name. Creating a Job that exists
 * (409) joins it when it computes the same work, so a second submit, or the submit of an
 * orchestrator restarted mid-run, never starts a second Job for one unit. One watch over the
 * instance's Jobs (job-watch.ts) settles the handles; `close` stops it and leaves the Jobs running
 * for the next scheduler to join. Progress is read from the pods' logs (pod-progress.ts).
 */
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { CoinError } from '@coin/core';
import {
  checkJobSpec,
  type JobHandle,
  type JobOutcome,
  type JobScheduler,
  type JobSpec,
} from '../../ports/job-scheduler.js';
import {
  ANNOTATION,
  buildJobManifest,
  instanceSelector,
  type KubernetesSettings,
  LABEL,
  type Shards,
  WORKER_CONTAINER,
} from './job-manifest.js';
import { jobOutcome } from './job-outcome.js';
import { JobWatch, type JobWatchTiming } from './job-watch.js';
import { followPodProgress, type PodLogSource } from './pod-progress.js';
import { apiError, type KubeClients, type KubeConnection, kubeClients, statusOf } from './kube-client.js';
import { type JobWork, KubernetesJob } from './kubernetes-job.js';

export interface KubernetesSchedulerOptions {
  /** The `kubernetes` section of the configuration (image, namespace, resources, …). */
  readonly settings: KubernetesSettings;
  /** Where the API server is; default `default` (in-cluster service account, else kubeconfig). */
  readonly connection?: KubeConnection;
  /** Watch timing, ms; defaults: re-list every 300000, backoff 500 doubling to 30000. */
  readonly timing?: Partial<JobWatchTiming>;
  /** Told when the watch fails and when it will try again (for the service's log). */
  readonly onWatchError?: (error: unknown, retryInMs: number) => void;
  /** How often a Job's pod log is read for progress, once a caller listens (`onProgress`); default 2000 ms. */
  readonly progressPollMs?: number;
}

const DEFAULT_TIMING: JobWatchTiming = { resyncMs: 300_000, backoffMs: 500, maxBackoffMs: 30_000 };

export class KubernetesJobScheduler implements JobScheduler {
  private readonly settings: KubernetesSettings;
  private readonly clients: KubeClients;
  private readonly timing: JobWatchTiming;
  private readonly jobs = new Map<string, KubernetesJob>();
  private watch: JobWatch | undefined;
  private closed = false;

  constructor(private readonly options: KubernetesSchedulerOptions) {
    this.settings = options.settings;
    this.clients = kubeClients(options.connection ?? 'default');
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
  }

  submit(spec: JobSpec): Promise<JobHandle> {
    return this.start(spec, undefined);
  }

  /**
   * An Indexed Job of `shards.count` pods (sharded evaluation): each pod runs the same unit with
   * JOB_COMPLETION_INDEX and COIN_JOB_SHARDS set; on success the result is `{ shards: [r0, r1, …] }`
   * in index order.
   */
  submitIndexed(spec: JobSpec, shards: Shards): Promise<JobHandle> {
    return this.start(spec, shards);
  }

  /** Stops the watch. The Jobs keep running; handles not yet settled never settle (submit again from a new scheduler). */
  async close(): Promise<void> {
    this.closed = true;
    await this.watch?.stop();
  }

  private async start(spec: JobSpec, shards: Shards | undefined): Promise<JobHandle> {
    if (this.closed) {
      throw new CoinError(
        'SCHEDULER.CLOSED',
        'FAILED_PRECONDITION',
        `cannot submit ${spec.name}: the scheduler is closed`,
      );
    }
    checkJobSpec(spec);
    const { manifest, name, digest } = buildJobManifest(spec, this.settings, shards);
    const work = workOf(spec, digest);
    const known = this.jobs.get(name);
    if (known !== undefined) {
      if (known.work.annotation !== work.annotation || known.work.value !== work.value)
        throw nameConflict(spec.name, name);
      return known;
    }
    const job = new KubernetesJob(name, work, {
      outcome: (found) => this.outcomeOf(found),
      remove: (jobName) => this.remove(jobName),
      follow: (jobName, emit, signal) =>
        followPodProgress(this.podLogs(jobName), emit, signal, this.options.progressPollMs ?? 2000),
    });
    // Registered before the create, so that no watch event about it can be missed.
    this.jobs.set(name, job);
    this.watching();
    try {
      job.observe(await this.create(manifest, spec.name, work));
    } catch (e) {
      this.jobs.delete(name);
      throw e;
    }
    return job;
  }

  /** Creates the Job, or returns the one of that name when it exists and computes the same work. */
  private async create(manifest: V1Job, specName: string, work: JobWork): Promise<V1Job> {
    const namespace = this.settings.namespace;
    try {
      return await this.clients.batch.createNamespacedJob({ namespace, body: manifest });
    } catch (e) {
      if (statusOf(e) !== 409) throw apiError(`creating Job ${manifest.metadata?.name} in ${namespace}`, e);
    }
    const name = manifest.metadata?.name as string;
    let existing: V1Job;
    try {
      existing = await this.clients.batch.readNamespacedJob({ name, namespace });
    } catch (e) {
      throw apiError(`reading the existing Job ${name} in ${namespace}`, e);
    }
    const labels = existing.metadata?.labels ?? {};
    const ours =
      labels[LABEL.instance] === this.settings.instance &&
      labels[LABEL.managedBy] === manifest.metadata?.labels?.[LABEL.managedBy];
    if (!ours || existing.metadata?.annotations?.[work.annotation] !== work.value) throw nameConflict(specName, name);
    return existing;
  }

  private async remove(name: string): Promise<void> {
    const namespace = this.settings.namespace;
    try {
      // Background: the Job goes now, its pods are stopped (SIGTERM, then their grace period) after.
      await this.clients.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' });
    } catch (e) {
      if (statusOf(e) !== 404) throw apiError(`deleting Job ${name} in ${namespace}`, e);
    }
    // Gone (or already gone): cancelled, without waiting for the watch (which a closed scheduler no longer has).
    this.jobs.get(name)?.vanished(undefined);
  }

  private async outcomeOf(job: V1Job): Promise<JobOutcome> {
    return jobOutcome(job, await this.podsOf(job.metadata?.name as string)) as JobOutcome;
  }

  private async podsOf(jobName: string): Promise<V1Pod[]> {
    const pods = await this.clients.core.listNamespacedPod({
      namespace: this.settings.namespace,
      labelSelector: `batch.kubernetes.io/job-name=${jobName}`,
    });
    return pods.items;
  }

  /** The two calls that read a Job's progress: its pods, and one pod's log (the worker container's). */
  private podLogs(jobName: string): PodLogSource {
    const namespace = this.settings.namespace;
    return {
      pods: () => this.podsOf(jobName),
      log: (pod) => this.clients.core.readNamespacedPodLog({ name: pod, namespace, container: WORKER_CONTAINER }),
    };
  }

  /** Starts the one watch over this instance's Jobs on first use. */
  private watching(): void {
    if (this.watch !== undefined) return;
    const namespace = this.settings.namespace;
    const labelSelector = instanceSelector(this.settings);
    this.watch = new JobWatch(
      {
        list: async () => {
          const list = await this.clients.batch.listNamespacedJob({ namespace, labelSelector });
          return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
        },
        watch: (resourceVersion, onEvent, done) =>
          this.clients.watch.watch(
            `/apis/batch/v1/namespaces/${namespace}/jobs`,
            { labelSelector, resourceVersion, allowWatchBookmarks: true },
            onEvent,
            done,
          ),
      },
      {
        changed: (job) => this.jobs.get(job.metadata?.name ?? '')?.observe(job),
        deleted: (job) => this.jobs.get(job.metadata?.name ?? '')?.vanished(job),
        listed: (items, startedAt) => this.reconcile(items, startedAt),
        failed: this.options.onWatchError,
      },
      this.timing,
    );
  }

  /** A full list: every handle learns its Job's state; a Job known before the list began and absent from it is gone. */
  private reconcile(items: readonly V1Job[], startedAt: number): void {
    const listed = new Map(items.map((job) => [job.metadata?.name ?? '', job]));
    for (const [name, job] of this.jobs) {
      if (job.ended) continue;
      const found = listed.get(name);
      if (found !== undefined) job.observe(found);
      else if (job.seenAt !== undefined && job.seenAt < startedAt) job.vanished(undefined);
    }
  }
}

/**
 * What a job computes, as the Job annotation that records it and its value. With an owner, its
 * unit key: two runs that share a unit (a common prefix) submit different JSON (each carries its
 * own run spec) for the same output, and the second joins the first's Job. Without one, the unit
 * JSON itself (its sha256).
 */
function workOf(spec: JobSpec, digest: string): JobWork {
  return spec.owner === undefined
    ? { annotation: ANNOTATION.unitDigest, value: digest }
    : { annotation: LABEL.unitKey, value: spec.owner.unitKey };
}

function nameConflict(specName: string, name: string): CoinError {
  return new CoinError(
    'SCHEDULER.JOB_NAME_CONFLICT',
    'FAILED_PRECONDITION',
    `a Kubernetes Job named ${name} (for job ${specName}) exists but runs a different unit or belongs to another instance`,
    {
      hint: 'job names are unit key + attempt: give a new attempt its own name, or set kubernetes.instance per release',
    },
  );
}
