/**
 * The worker side of a run over the bus (docs/protocol.md#runs-over-the-event-bus), what each
 * service runs: data-prep serves `prep`, the trainer `pretrain` and `stage`, the evaluator `eval`,
 * the judge `judge`. For each request it resolves the spec, plans it and finds the unit by its key
 * (a key the plan does not hold is a non-retryable UnitFailedEvent), then checks the unit's manifest:
 * done → the completion is published at once, so replaying a topic recomputes nothing; else the unit
 * body runs (progress as RunProgressEvents) and the completion follows its manifest. A failure is
 * handed back to the bus while it is retryable and attempts remain, and then reported as a
 * UnitFailedEvent. Units run one at a time per server.
 */
import { CoinError, invalidArgument } from '@coin/core';
import {
  decodeEvent,
  encodeEvent,
  RUN_PROGRESS_TOPIC,
  type RunSpec as ProtoRunSpec,
  UNIT_FAILED_TOPIC,
} from '@coin/contracts';
import { type BusMessage, type EventBus, type Subscription, unitState } from '@coin/platform';
import type { RunPlan } from '../plan/units.js';
import { planFor } from '../run/execute-run.js';
import { jobRef, runUnitJob, type UnitJob, type UnitRunner } from '../run/jobs.js';
import { METHOD_CATALOGUE } from '../spec/method-catalogue.js';
import { type MethodCatalogue, runId, type RunSpec } from '../spec/run-spec.js';
import type { UnitEnv, UnitProgress } from '../units/unit-env.js';
import { errorInfo, isRetryable } from './error-info.js';
import { EvalModelCache } from './eval-model-cache.js';
import { progressEvent } from './progress-events.js';
import { runSpecFromProto } from './spec-wire.js';
import {
  type BusUnit,
  type BusUnitKind,
  completedEvent,
  eventMeta,
  REQUEST_TOPIC,
  type RequestTopic,
  requestedUnit,
  UNIT_KIND_OF,
} from './unit-events.js';

export interface ServeUnitsOptions {
  /** The unit kinds this server computes (it subscribes to their request topics). */
  readonly kinds: readonly BusUnitKind[];
  /** Consumer group (one per service: its replicas share the requests). */
  readonly group: string;
  /** EventMeta.producer of what it publishes. Default: the group. */
  readonly producer?: string;
  /** Deliveries of a request before a retryable failure is reported as UnitFailedEvent. Default 3. */
  readonly maxAttempts?: number;
  /** Backoff before a redelivery, ms (doubling). Default 100. */
  readonly retryBackoffMs?: number;
  /** Read the request topics from their oldest retained message (a replay). */
  readonly fromBeginning?: boolean;
  /** Least time between two progress events of one unit, ms (its last step always goes). Default 200. */
  readonly progressEveryMs?: number;
  readonly catalogue?: MethodCatalogue;
  /**
   * Where the bodies of some kinds run (e.g. the trainer's stages as Kubernetes Jobs through
   * `schedulerRunner`); a kind without one runs in this process. The manifest check, events,
   * progress relay and completion are the same either way.
   */
  readonly runners?: Partial<Record<BusUnitKind, UnitRunner>>;
  /** Told of every request handled: the unit computed, found done, failed or handed back. */
  readonly onUnit?: (event: ServedUnit) => void;
}

export interface ServedUnit {
  readonly kind: BusUnitKind;
  readonly key: string;
  readonly label: string;
  readonly runId: string;
  readonly outcome: 'computed' | 'found' | 'failed' | 'handed-back';
  readonly wall_s: number;
  /** Eval cells: seconds spent loading the model (0 when the previous cell's model was kept). */
  readonly modelLoad_s?: number;
  /**
   * A stage or the base computed here: the first step it trained. Above 1 when a stage continued
   * from a snapshot an earlier attempt left (a restarted worker).
   */
  readonly firstStep?: number;
  readonly error?: unknown;
}

export interface UnitServer {
  /**
   * Stops taking requests and waits for the unit in flight; past `deadlineMs` it aborts that unit
   * instead and hands its request back to the bus (another replica, or this service restarted,
   * takes it), publishing nothing for it.
   */
  close(options?: { readonly deadlineMs?: number }): Promise<void>;
}

interface Planned {
  readonly spec: RunSpec;
  readonly plan: RunPlan;
  readonly units: ReadonlyMap<string, BusUnit>;
}

const PLANS_KEPT = 16;

export async function serveUnits(
  bus: EventBus,
  env: Omit<UnitEnv, 'progress' | 'signal'>,
  options: ServeUnitsOptions,
): Promise<UnitServer> {
  const producer = options.producer ?? options.group;
  const maxAttempts = options.maxAttempts ?? 3;
  const catalogue = options.catalogue ?? METHOD_CATALOGUE;
  const plans = new Map<string, Promise<Planned>>();
  const evalModels = new EvalModelCache();
  const stop = new AbortController();
  let queue: Promise<unknown> = Promise.resolve();
  const kindOf = new Map<string, BusUnitKind>(options.kinds.map((k) => [REQUEST_TOPIC[k], k]));

  /** The spec and plan of a run, kept for the next request of the same run. */
  const planOf = (id: string, proto: ProtoRunSpec): Promise<Planned> => {
    let p = plans.get(id);
    if (p === undefined) {
      p = (async () => {
        const spec = runSpecFromProto(proto, catalogue);
        if (runId(spec) !== id)
          throw new CoinError(
            'RUN.SPEC_MISMATCH',
            'FAILED_PRECONDITION',
            `the spec of run ${id} resolves to run ${runId(spec)} here`,
            {
              hint: 'the orchestrator and this worker run different code versions: deploy one version',
            },
          );
        const plan = await planFor(spec);
        return { spec, plan, units: unitsByKey(plan) };
      })();
      p.catch(() => plans.delete(id));
      plans.set(id, p);
      if (plans.size > PLANS_KEPT) plans.delete(plans.keys().next().value as string);
    }
    return p;
  };

  /** One unit at a time: `body` runs after the units before it finished. */
  const exclusive = <T>(body: () => Promise<T>): Promise<T> => {
    const run = queue.then(body, body);
    queue = run.catch(() => undefined);
    return run;
  };

  const publish = (topic: Parameters<typeof encodeEvent>[0], key: string, payload: unknown) =>
    bus.publish(topic, key, encodeEvent(topic, payload as never));

  /** The first training step of the unit in flight (one unit at a time). */
  let firstStep: number | undefined;
  const progressOf = (unit: BusUnit, id: string) => {
    let last = 0;
    firstStep = undefined;
    return (p: UnitProgress) => {
      if ((p.type === 'step' || p.type === 'pretrain') && firstStep === undefined) firstStep = p.step;
      const now = performance.now();
      const final = 'steps' in p ? p.type !== 'stage-start' && p.step === p.steps : p.done === p.total;
      if (!final && p.type !== 'stage-start' && now - last < (options.progressEveryMs ?? 200)) return;
      last = now;
      // Informational: a progress event lost to a bus hiccup is superseded by the next.
      void publish(RUN_PROGRESS_TOPIC, id, progressEvent(unit, id, p, producer)).catch(() => {});
    };
  };

  const compute = async (unit: BusUnit, planned: Planned, id: string, attempt: number): Promise<number | undefined> => {
    const unitEnv: UnitEnv = { ...env, signal: stop.signal, progress: progressOf(unit, id) };
    const { spec, plan } = planned;
    const runner = options.runners?.[unit.kind];
    if (runner !== undefined) {
      const relay = (e: Readonly<Record<string, unknown>>) => unitEnv.progress(e as unknown as UnitProgress);
      // Named by unit and delivery: a request delivered again after a restart joins the job it
      // started (a Kubernetes Job of that name), a retry after a failure starts a new one.
      await runner.run(jobOf(unit, planned), jobRef(unit, attempt), relay, stop.signal);
      return undefined;
    }
    switch (unit.kind) {
      case 'prep':
        await runUnitJob({ kind: 'prep', spec, unit }, unitEnv);
        return undefined;
      case 'pretrain':
        await runUnitJob({ kind: 'pretrain', spec, unit }, unitEnv);
        return undefined;
      case 'stage':
        await runUnitJob({ kind: 'stage', spec, base: plan.base, world: plan.world, unit }, unitEnv);
        return undefined;
      case 'eval': {
        const source = { spec, base: plan.base, world: plan.world, ...(unit.stage ? { stage: unit.stage } : {}) };
        const { model, loadSeconds } = await evalModels.get(source, unitEnv);
        await model.evaluate(unit, unitEnv);
        return loadSeconds;
      }
      case 'judge':
        await runUnitJob({ kind: 'judge', spec, world: plan.world, units: [unit] }, unitEnv);
        return undefined;
    }
  };

  const handle = async (message: BusMessage) => {
    const kind = kindOf.get(message.topic);
    if (kind === undefined) return;
    const topic = message.topic as RequestTopic;
    const id = message.key;
    const started = performance.now();
    // A payload that does not decode throws here: the bus retries it, then dead-letters it.
    const { key, spec: proto } = requestedUnit(topic, decodeEvent(topic, message.value));
    let unit: BusUnit | undefined;
    const told = (outcome: ServedUnit['outcome'], extra: Partial<ServedUnit> = {}) =>
      options.onUnit?.({
        kind,
        key,
        label: unit?.label ?? key,
        runId: id,
        outcome,
        wall_s: (performance.now() - started) / 1000,
        ...extra,
      });
    try {
      if (proto === undefined) throw invalidArgument('BUS.BAD_EVENT', `a ${topic} event of run ${id} carries no spec`);
      const planned = await planOf(id, proto);
      unit = planned.units.get(key);
      if (unit === undefined || unit.kind !== kind)
        throw invalidArgument(
          'RUN.UNKNOWN_UNIT',
          `run ${id} has no ${kind} unit ${key}`,
          'request only units of the plan of the spec sent',
          {
            key,
          },
        );
      const found = unit;
      const modelLoad = await exclusive(async () => {
        stop.signal.throwIfAborted();
        const state = await unitState(env.store, found.prefix, { verify: 'sha256' });
        if (state.state === 'done') return null;
        if (state.state === 'corrupt') await env.store.deletePrefix(found.prefix);
        return (await compute(found, planned, id, message.attempt)) ?? -1;
      });
      const state = await unitState(env.store, found.prefix, { verify: 'size' });
      if (state.state !== 'done')
        throw new CoinError(
          'RUN.UNIT_MISSING',
          'INTERNAL',
          `${found.label} finished but its manifest is ${state.state}`,
        );
      const done = completedEvent(found, id, state.manifest.meta, producer);
      await publish(done.topic, id, done.payload);
      told(modelLoad === null ? 'found' : 'computed', {
        ...(modelLoad !== null && modelLoad >= 0 ? { modelLoad_s: modelLoad } : {}),
        ...(modelLoad !== null && firstStep !== undefined ? { firstStep } : {}),
      });
    } catch (error) {
      if (stop.signal.aborted) {
        told('handed-back', { error });
        throw error; // not acknowledged: the request is delivered again
      }
      if (isRetryable(error) && message.attempt < maxAttempts) throw error;
      await publish(UNIT_FAILED_TOPIC, id, {
        meta: eventMeta(id, producer, message.attempt),
        unit: unit?.prefix ?? '',
        unitKind: UNIT_KIND_OF[kind],
        unitKey: key,
        error: errorInfo(error),
        sourceTopic: topic,
      });
      told('failed', { error });
    }
  };

  const subscription: Subscription = await bus.subscribe([...kindOf.keys()], handle, {
    group: options.group,
    maxAttempts,
    retryBackoffMs: options.retryBackoffMs ?? 100,
    ...(options.fromBeginning ? { fromBeginning: true } : {}),
  });

  return {
    async close(o = {}) {
      const closing = subscription.close();
      if (o.deadlineMs !== undefined) {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), o.deadlineMs)));
        if ((await Promise.race([closing, late])) === 'late')
          stop.abort(new CoinError('RUN.HANDED_BACK', 'UNAVAILABLE', 'the worker is shutting down'));
        clearTimeout(timer);
      }
      await closing;
      stop.abort(new CoinError('RUN.HANDED_BACK', 'UNAVAILABLE', 'the worker is shutting down'));
      await queue;
      await evalModels.release();
    },
  };
}

/** The job of one unit, as a runner takes it (an eval cell is a job of one cell). */
function jobOf(unit: BusUnit, { spec, plan }: Planned): UnitJob {
  switch (unit.kind) {
    case 'prep':
      return { kind: 'prep', spec, unit };
    case 'pretrain':
      return { kind: 'pretrain', spec, unit };
    case 'stage':
      return { kind: 'stage', spec, base: plan.base, world: plan.world, unit };
    case 'eval':
      return {
        kind: 'eval',
        spec,
        base: plan.base,
        world: plan.world,
        ...(unit.stage ? { stage: unit.stage } : {}),
        cells: [unit],
      };
    case 'judge':
      return { kind: 'judge', spec, world: plan.world, units: [unit] };
  }
}

function unitsByKey(plan: RunPlan): Map<string, BusUnit> {
  const all: (BusUnit | undefined)[] = [
    plan.world,
    plan.pretrainWorld,
    plan.base.kind === 'pretrain' ? plan.base : undefined,
    ...plan.stages,
    ...plan.zeroShot,
    ...plan.evals.flat(),
    ...plan.judges,
  ];
  return new Map(all.filter((u): u is BusUnit => u !== undefined).map((u) => [u.key, u]));
}
