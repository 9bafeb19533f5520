/**
 * The embedded EventBus: Kafka's delivery semantics inside one process, so the orchestrator behaves
 * the same on one machine as against a cluster. Each topic is an append-only log kept in memory
 * (a group subscribing `fromBeginning` replays it). Each consumer group receives every message;
 * within a group, a message goes to one member, chosen by its key as a partition would be. Messages
 * of one key are handled one at a time, in publish order, while different keys run concurrently.
 * A failed handler is retried after a doubling backoff; after `maxAttempts` deliveries the message
 * is published unchanged to `<topic>.dlt` (contracts' deadLetterTopic) and its key moves on.
 * Nothing is persisted: a restarted process starts with empty topics.
 */
import { CoinError } from '@coin/core';
import type { BusHandler, BusMessage, EventBus, SubscribeOptions, Subscription } from '../ports/event-bus.js';
import { deliverOnce } from './bus-delivery.js';

export interface InProcessEventBusOptions {
  /** Told of every failed delivery (the bus retries it or dead-letters it), e.g. to log it. */
  readonly onHandlerError?: (error: unknown, message: BusMessage) => void;
}

/** The dead-letter twin of a topic, as @coin/contracts names it (checked by the contract suite). */
function deadLetterTopicOf(topic: string): string {
  return `${topic}.dlt`;
}

interface Entry {
  readonly key: string;
  readonly value: Uint8Array;
}

/** One member of a group: a subscription's handler and its settings. */
interface Member {
  readonly handler: BusHandler;
  readonly maxAttempts: number;
  readonly retryBackoffMs: number;
  active: boolean;
  /** Handler calls in flight. */
  readonly running: Set<Promise<void>>;
}

/** A key's queue within one group on one topic: delivered head first, one at a time. */
interface Lane {
  readonly queue: Entry[];
  /** Failed deliveries of the head so far. */
  failures: number;
  pumping: boolean;
}

/** One consumer group's state on one topic: its members and its per-key lanes (Kafka's offsets). */
interface GroupTopic {
  readonly topic: string;
  readonly members: Member[];
  readonly lanes: Map<string, Lane>;
}

export class InProcessEventBus implements EventBus {
  private readonly logs = new Map<string, Entry[]>();
  /** topic → group → state. */
  private readonly groups = new Map<string, Map<string, GroupTopic>>();
  private readonly members = new Set<Member>();
  private readonly sleeps = new Set<() => void>();
  private closed = false;

  constructor(private readonly options: InProcessEventBusOptions = {}) {}

  async publish(topic: string, key: string, value: Uint8Array): Promise<void> {
    if (this.closed) {
      throw new CoinError('BUS.CLOSED', 'FAILED_PRECONDITION', `cannot publish to ${topic}: the event bus is closed`);
    }
    this.append(topic, { key, value: Uint8Array.from(value) });
  }

  async subscribe(topics: readonly string[], handler: BusHandler, options: SubscribeOptions): Promise<Subscription> {
    if (this.closed) {
      throw new CoinError('BUS.CLOSED', 'FAILED_PRECONDITION', 'cannot subscribe: the event bus is closed');
    }
    const member: Member = {
      handler,
      maxAttempts: Math.max(1, options.maxAttempts ?? 5),
      retryBackoffMs: Math.max(0, options.retryBackoffMs ?? 100),
      active: true,
      running: new Set(),
    };
    this.members.add(member);
    const joined: GroupTopic[] = [];
    for (const topic of topics) {
      const state = this.groupTopic(topic, options.group, options.fromBeginning ?? false);
      state.members.push(member);
      joined.push(state);
      for (const key of state.lanes.keys()) this.pump(state, key); // lanes that waited for a member
    }
    return { close: () => this.leave(member, joined) };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.sleeps) wake();
    await Promise.all([...this.members].map((m) => this.leave(m, [])));
  }

  private append(topic: string, entry: Entry): void {
    let log = this.logs.get(topic);
    if (log === undefined) this.logs.set(topic, (log = []));
    log.push(entry);
    for (const state of this.groups.get(topic)?.values() ?? []) this.enqueue(state, entry);
  }

  /** The group's state on a topic; a new group starts at the log's end, or its start when asked. */
  private groupTopic(topic: string, group: string, fromBeginning: boolean): GroupTopic {
    let byGroup = this.groups.get(topic);
    if (byGroup === undefined) this.groups.set(topic, (byGroup = new Map()));
    const existing = byGroup.get(group);
    if (existing !== undefined) return existing; // a known group keeps its position, as Kafka's committed offsets
    const state: GroupTopic = { topic, members: [], lanes: new Map() };
    byGroup.set(group, state);
    if (fromBeginning) for (const entry of this.logs.get(topic) ?? []) this.enqueue(state, entry);
    return state;
  }

  private enqueue(state: GroupTopic, entry: Entry): void {
    let lane = state.lanes.get(entry.key);
    if (lane === undefined) state.lanes.set(entry.key, (lane = { queue: [], failures: 0, pumping: false }));
    lane.queue.push(entry);
    this.pump(state, entry.key);
  }

  /** Starts delivering a lane unless it is already being delivered. Never calls a handler synchronously. */
  private pump(state: GroupTopic, key: string): void {
    const lane = state.lanes.get(key);
    if (lane === undefined || lane.pumping) return;
    lane.pumping = true;
    queueMicrotask(() => void this.drain(state, key, lane));
  }

  private async drain(state: GroupTopic, key: string, lane: Lane): Promise<void> {
    while (lane.queue.length > 0 && !this.closed) {
      const member = memberFor(state, key);
      if (member === undefined) break; // no member now: the lane waits for the next subscriber
      const entry = lane.queue[0];
      const attempt = lane.failures + 1;
      const message: BusMessage = { topic: state.topic, key, value: entry.value, attempt };
      const error = await deliverOnce(member.handler, message, member.running);
      if (error === undefined) {
        lane.queue.shift();
        lane.failures = 0;
        continue;
      }
      this.report(error.thrown, message);
      if (attempt >= member.maxAttempts) {
        this.append(deadLetterTopicOf(state.topic), entry);
        lane.queue.shift();
        lane.failures = 0;
      } else {
        lane.failures = attempt;
        await this.sleep(member.retryBackoffMs * 2 ** (attempt - 1));
      }
    }
    lane.pumping = false;
    if (lane.queue.length === 0 && state.lanes.get(key) === lane) state.lanes.delete(key);
  }

  private report(error: unknown, message: BusMessage): void {
    try {
      this.options.onHandlerError?.(error, message);
    } catch {
      // a broken error hook must not stop delivery
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleeps.add(wake);
    });
  }

  private async leave(member: Member, joined: readonly GroupTopic[]): Promise<void> {
    member.active = false;
    for (const state of joined) {
      const at = state.members.indexOf(member);
      if (at >= 0) state.members.splice(at, 1);
    }
    while (member.running.size > 0) await Promise.all(member.running);
    this.members.delete(member);
  }
}

/** The active member that gets a key: a stable choice among the current members, as a partition owner. */
function memberFor(state: GroupTopic, key: string): Member | undefined {
  const active = state.members.filter((m) => m.active);
  if (active.length === 0) return undefined;
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) >>> 0;
  return active[hash % active.length];
}
