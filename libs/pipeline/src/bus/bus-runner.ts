/**
 * The UnitRunner of the services (docs/protocol.md#runs-over-the-event-bus): each job becomes the
 * request events of its units (one per unit; an eval or judge job is one per cell), and the job is
 * done when a completion for every one of those unit keys has arrived — its meta then read from the
 * unit's manifest, the system of record. A UnitFailedEvent for one of them fails the job with the
 * worker's error; RunProgressEvents of them reach onProgress. One subscription serves every job;
 * completions are matched by unit key, so a duplicate (redelivery, replay, another run sharing the
 * unit) is harmless. The subscription is made by `ready()` (the controller calls it when it opens),
 * so that the first job does not wait for a consumer group to form; a completion published before
 * it was live, or lost otherwise, is found by the manifest check each job makes before publishing
 * and every `manifestCheckMs` while it waits.
 */
import { randomUUID } from 'node:crypto';
import { CoinError } from '@coin/core';
import {
  decodeEvent,
  encodeEvent,
  type RunSpec as ProtoRunSpec,
  RUN_PROGRESS_TOPIC,
  UNIT_FAILED_TOPIC,
} from '@coin/contracts';
import { type BusMessage, type EventBus, type ObjectStore, type Subscription, unitState } from '@coin/platform';
import type { PrepUnit } from '../plan/units.js';
import type { UnitJob, UnitRunner } from '../run/jobs.js';
import { runId, type RunSpec } from '../spec/run-spec.js';
import { errorFromInfo } from './error-info.js';
import { unitProgressOf } from './progress-events.js';
import { runSpecToProto } from './spec-wire.js';
import {
  BUS_UNIT_KINDS,
  type BusUnit,
  COMPLETED_TOPIC,
  type CompletedTopic,
  completedKey,
  requestEvent,
} from './unit-events.js';

export interface BusRunnerOptions {
  /** Where the completed units' manifests are read (the store the workers publish to). */
  readonly store: ObjectStore;
  /** EventMeta.producer of the requests. Default `orchestrator`. */
  readonly producer?: string;
  /**
   * Consumer-group prefix of the runner's one subscription; the group is `<prefix>.<uuid>`, its own,
   * so that it sees every completion. Default `orchestrator.runner`.
   */
  readonly group?: string;
  /** How often a waiting job looks for its outstanding units' manifests, ms. Default 5000. */
  readonly manifestCheckMs?: number;
}

export interface BusRunner extends UnitRunner {
  /** Subscribes to the completions now (else the first job does); resolves once the subscription is live. */
  ready(): Promise<void>;
  /** Ends the subscription; jobs still waiting reject with RUN.RUNNER_CLOSED. */
  close(): Promise<void>;
}

/** One unit a job waits for. */
interface Waiter {
  readonly unit: BusUnit;
  readonly job: PendingJob;
}

interface PendingJob {
  readonly name: string;
  readonly onProgress: (event: Readonly<Record<string, unknown>>) => void;
  readonly done: (key: string) => void;
  readonly fail: (error: Error) => void;
}

const COMPLETED_TOPICS = new Set<string>(BUS_UNIT_KINDS.map((k) => COMPLETED_TOPIC[k]));

export function busRunner(bus: EventBus, options: BusRunnerOptions): BusRunner {
  const producer = options.producer ?? 'orchestrator';
  const waiting = new Map<string, Set<Waiter>>();
  const wire = new WeakMap<RunSpec, { readonly id: string; readonly proto: ProtoRunSpec }>();
  /** The reject of every job in flight, for close(). */
  const closers = new Set<(error: Error) => void>();
  let subscription: Promise<Subscription> | undefined;
  let closed = false;

  const waitersOf = (key: string) => [...(waiting.get(key) ?? [])];
  const handle = async (message: BusMessage) => {
    if (COMPLETED_TOPICS.has(message.topic)) {
      const key = completedKey(
        message.topic as CompletedTopic,
        decodeEvent(message.topic as CompletedTopic, message.value),
      );
      for (const w of waitersOf(key)) w.job.done(key);
    } else if (message.topic === UNIT_FAILED_TOPIC) {
      const failed = decodeEvent(UNIT_FAILED_TOPIC, message.value);
      for (const w of waitersOf(failed.unitKey)) w.job.fail(errorFromInfo(failed.error, w.unit.label));
    } else if (message.topic === RUN_PROGRESS_TOPIC) {
      const event = decodeEvent(RUN_PROGRESS_TOPIC, message.value);
      const progress = unitProgressOf(event);
      if (progress === undefined) return;
      for (const w of waitersOf(event.unit?.key ?? ''))
        w.job.onProgress(progress as unknown as Record<string, unknown>);
    }
  };
  const subscribe = () =>
    (subscription ??= bus.subscribe([...COMPLETED_TOPICS, UNIT_FAILED_TOPIC, RUN_PROGRESS_TOPIC], handle, {
      group: `${options.group ?? 'orchestrator.runner'}.${randomUUID()}`,
    }));
  const specOf = (spec: RunSpec) => {
    let w = wire.get(spec);
    if (w === undefined) wire.set(spec, (w = { id: runId(spec), proto: runSpecToProto(spec) }));
    return w;
  };

  return {
    async ready() {
      if (closed) throw closedError();
      await subscribe();
    },
    async run(job, { name }, onProgress, signal) {
      if (closed) throw closedError();
      signal?.throwIfAborted();
      await subscribe();
      const { id, proto } = specOf(job.spec);
      const units = unitsOf(job);
      const outstanding = new Set(units.map((u) => u.key));
      const waiters: Waiter[] = [];
      let rejectJob: (error: Error) => void = () => {};
      let pending: PendingJob | undefined;
      const finished = new Promise<void>((resolve, reject) => {
        rejectJob = reject;
        pending = {
          name,
          onProgress,
          done: (key) => {
            outstanding.delete(key);
            if (outstanding.size === 0) resolve();
          },
          fail: reject,
        };
        for (const unit of units) {
          const w: Waiter = { unit, job: pending! };
          waiters.push(w);
          let set = waiting.get(unit.key);
          if (set === undefined) waiting.set(unit.key, (set = new Set()));
          set.add(w);
        }
      });
      finished.catch(() => {}); // awaited below; a rejection meanwhile (abort, close) is not unhandled
      const abort = () =>
        rejectJob(signal?.reason ?? new CoinError('RUN.CANCELLED', 'CANCELLED', `${name} was cancelled`));
      signal?.addEventListener('abort', abort, { once: true });
      closers.add(rejectJob);
      const release = () => {
        signal?.removeEventListener('abort', abort);
        closers.delete(rejectJob);
        for (const w of waiters) {
          const set = waiting.get(w.unit.key);
          set?.delete(w);
          if (set?.size === 0) waiting.delete(w.unit.key);
        }
      };
      /** Units whose manifest is in the store are done, whether or not their completion came. */
      const checkManifests = async () => {
        for (const unit of units)
          if (
            outstanding.has(unit.key) &&
            (await unitState(options.store, unit.prefix, { verify: 'size' })).state === 'done'
          )
            pending!.done(unit.key);
      };
      let sweeping = false;
      const sweep = setInterval(() => {
        if (sweeping) return;
        sweeping = true;
        void checkManifests()
          .catch(() => {}) // the store is unreachable for now: the next sweep tries again
          .finally(() => (sweeping = false));
      }, options.manifestCheckMs ?? 5000);
      try {
        await checkManifests();
        const world = worldOf(job);
        for (const unit of units) {
          if (signal?.aborted) break; // stop publishing: the abort rejects `finished`
          if (!outstanding.has(unit.key)) continue; // completed already (a duplicate of an earlier request)
          const { topic, payload } = requestEvent(unit, id, proto, world, producer);
          await bus.publish(topic, id, encodeEvent(topic as never, payload as never));
        }
        await finished;
      } finally {
        clearInterval(sweep);
        release();
      }
      return { result: await resultOf(options.store, job, units), peakRssMb: null };
    },
    async close() {
      closed = true;
      for (const reject of closers) reject(closedError());
      closers.clear();
      if (subscription) await (await subscription).close();
    },
  };
}

function closedError(): CoinError {
  return new CoinError('RUN.RUNNER_CLOSED', 'UNAVAILABLE', 'the bus runner is closed', {
    hint: 'the run resumes when the orchestrator starts again',
  });
}

function unitsOf(job: UnitJob): readonly BusUnit[] {
  switch (job.kind) {
    case 'prep':
    case 'pretrain':
    case 'stage':
      return [job.unit];
    case 'eval':
      return job.cells;
    case 'judge':
      return job.units;
  }
}

function worldOf(job: UnitJob): PrepUnit {
  if (job.kind === 'prep') return job.unit;
  if (job.kind === 'pretrain') return job.unit.world;
  return job.world;
}

/** The job's result as its in-process run would return it, from the manifests now in the store. */
async function resultOf(store: ObjectStore, job: UnitJob, units: readonly BusUnit[]): Promise<Record<string, unknown>> {
  const metas: Record<string, Readonly<Record<string, unknown>>> = {};
  for (const unit of units) {
    const state = await unitState(store, unit.prefix, { verify: 'size' });
    if (state.state !== 'done')
      throw new CoinError(
        'RUN.UNIT_MISSING',
        'UNAVAILABLE',
        `${unit.label} was reported done but its manifest is ${state.state}`,
        {
          hint: 'the worker and the orchestrator must use the same object store',
          details: { key: unit.key, prefix: unit.prefix },
        },
      );
    metas[unit.key] = state.manifest.meta;
  }
  return job.kind === 'eval' || job.kind === 'judge' ? { cells: metas } : metas[units[0].key];
}
