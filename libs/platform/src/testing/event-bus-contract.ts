/**
 * The EventBus contract: every adapter (in-process, Kafka) runs these tests unchanged through
 * `eventBusContract(name, make)`; `make` returns a bus and how to dispose of it. Each test uses
 * topics and groups of its own, so a shared broker needs no cleanup between tests.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { DEAD_LETTER_SUFFIX } from '@coin/contracts';
import type { BusMessage, EventBus } from '../ports/event-bus.js';
import { waitFor } from './wait.js';

export interface BusFixture {
  readonly bus: EventBus;
  cleanup(): Promise<void>;
  /**
   * How long a test waits for delivery that the contract only promises eventually (default 5000 ms).
   * A real broker needs more: each consumer group joins in seconds, and a test may join three.
   */
  readonly deliveryTimeoutMs?: number;
}

export type MakeBus = () => Promise<BusFixture>;

type Wait = (what: string, check: () => boolean) => Promise<void>;

async function withBus(
  make: MakeBus,
  body: (bus: EventBus, topic: string, eventually: Wait) => Promise<void>,
): Promise<void> {
  const fixture = await make();
  const wait: Wait = (what, check) => waitFor(what, check, fixture.deliveryTimeoutMs);
  try {
    await body(fixture.bus, `coin.contract.${randomBytes(4).toString('hex')}.v1`, wait);
  } finally {
    await fixture.bus.close();
    await fixture.cleanup();
  }
}

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (message: BusMessage) => new TextDecoder().decode(message.value);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function eventBusContract(name: string, make: MakeBus): void {
  describe(`EventBus contract: ${name}`, () => {
    test('messages of one key are handled one at a time, in publish order', () =>
      withBus(make, async (bus, topic, eventually) => {
        const seen = new Map<string, string[]>();
        const busy = new Set<string>();
        let overlapped = false;
        await bus.subscribe(
          [topic],
          async (m) => {
            if (busy.has(m.key)) overlapped = true;
            busy.add(m.key);
            await sleep(Math.random() * 4);
            seen.set(m.key, [...(seen.get(m.key) ?? []), text(m)]);
            busy.delete(m.key);
          },
          { group: 'g' },
        );
        const expected = new Map<string, string[]>();
        for (let i = 0; i < 30; i++) {
          const key = `run-${i % 3}`;
          expected.set(key, [...(expected.get(key) ?? []), `m${i}`]);
          await bus.publish(topic, key, bytes(`m${i}`));
        }
        await eventually('all 30 messages', () => [...seen.values()].flat().length === 30);
        assert.deepEqual(new Map([...seen].sort()), new Map([...expected].sort()));
        assert.equal(overlapped, false, 'two messages of one key ran at once');
      }));

    test('every group gets every message; within a group each goes to one member', () =>
      withBus(make, async (bus, topic, eventually) => {
        const got = { a1: [] as string[], a2: [] as string[], b: [] as string[] };
        await bus.subscribe([topic], async (m) => void got.a1.push(text(m)), { group: 'a' });
        await bus.subscribe([topic], async (m) => void got.a2.push(text(m)), { group: 'a' });
        await bus.subscribe([topic], async (m) => void got.b.push(text(m)), { group: 'b' });
        const all = Array.from({ length: 12 }, (_, i) => `m${i}`);
        for (const [i, m] of all.entries()) await bus.publish(topic, `run-${i % 4}`, bytes(m));
        await eventually('both groups', () => got.b.length === 12 && got.a1.length + got.a2.length === 12);
        await sleep(50); // room for a wrong duplicate to show up
        assert.deepEqual([...got.a1, ...got.a2].sort(), [...all].sort());
        assert.deepEqual([...got.b].sort(), [...all].sort());
      }));

    test('a failed handler is retried with a doubling backoff, attempt counted from 1', () =>
      withBus(make, async (bus, topic, eventually) => {
        const attempts: [number, number][] = [];
        await bus.subscribe(
          [topic],
          async (m) => {
            attempts.push([m.attempt, performance.now()]);
            if (m.attempt < 3) throw new Error('not yet');
          },
          { group: 'g', maxAttempts: 5, retryBackoffMs: 40 },
        );
        await bus.publish(topic, 'run-1', bytes('x'));
        await eventually('the third attempt', () => attempts.length === 3);
        await sleep(100);
        assert.deepEqual(
          attempts.map(([attempt]) => attempt),
          [1, 2, 3],
        );
        assert.ok(attempts[1][1] - attempts[0][1] >= 35, 'first retry waits the backoff');
        assert.ok(attempts[2][1] - attempts[1][1] >= 75, 'second retry waits twice the backoff');
      }));

    test('after maxAttempts the message goes unchanged to the dead-letter topic and its key moves on', () =>
      withBus(make, async (bus, topic, eventually) => {
        const handled: string[] = [];
        let poisonAttempts = 0;
        const dead: BusMessage[] = [];
        await bus.subscribe([`${topic}${DEAD_LETTER_SUFFIX}`], async (m) => void dead.push(m), {
          group: 'dlt-reader',
          fromBeginning: true,
        });
        await bus.subscribe(
          [topic],
          async (m) => {
            if (text(m) === 'poison') {
              poisonAttempts++;
              throw new Error('cannot handle');
            }
            handled.push(`${m.key}:${text(m)}`);
          },
          { group: 'g', maxAttempts: 3, retryBackoffMs: 5 },
        );
        await bus.publish(topic, 'run-1', bytes('poison'));
        await bus.publish(topic, 'run-1', bytes('after'));
        await bus.publish(topic, 'run-2', bytes('other'));
        await eventually('the dead letter and both later messages', () => dead.length === 1 && handled.length === 2);
        assert.equal(poisonAttempts, 3);
        assert.equal(dead[0].key, 'run-1');
        assert.equal(text(dead[0]), 'poison');
        assert.deepEqual(handled.sort(), ['run-1:after', 'run-2:other']);
      }));

    test('a new group fromBeginning replays the topic; without it, only new messages; a known group resumes', () =>
      withBus(make, async (bus, topic, eventually) => {
        for (const m of ['old1', 'old2']) await bus.publish(topic, 'run-1', bytes(m));
        const replayed: string[] = [];
        const fresh: string[] = [];
        await bus.subscribe([topic], async (m) => void replayed.push(text(m)), {
          group: 'replay',
          fromBeginning: true,
        });
        const first = await bus.subscribe([topic], async (m) => void fresh.push(text(m)), { group: 'fresh' });
        await bus.publish(topic, 'run-1', bytes('new1'));
        await eventually('three replayed, one fresh', () => replayed.length === 3 && fresh.length === 1);
        assert.deepEqual(replayed, ['old1', 'old2', 'new1']);
        assert.deepEqual(fresh, ['new1']);
        await first.close();
        await bus.publish(topic, 'run-1', bytes('while-away'));
        const resumed: string[] = [];
        await bus.subscribe([topic], async (m) => void resumed.push(text(m)), { group: 'fresh', fromBeginning: true });
        await eventually('the message published while the group had no member', () => resumed.length === 1);
        await sleep(50);
        assert.deepEqual(resumed, ['while-away']);
      }));

    test('closing waits for running handlers, and a closed subscription gets nothing more', () =>
      withBus(make, async (bus, topic, eventually) => {
        let release: () => void = () => undefined;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const started: string[] = [];
        let finished = 0;
        const sub = await bus.subscribe(
          [topic],
          async (m) => {
            started.push(text(m));
            await gate;
            finished++;
          },
          { group: 'g' },
        );
        await bus.publish(topic, 'run-1', bytes('slow'));
        await eventually('the handler to start', () => started.length === 1);
        let closed = false;
        const closing = sub.close().then(() => (closed = true));
        await sleep(30);
        assert.equal(closed, false, 'close resolved while a handler ran');
        release();
        await closing;
        assert.equal(finished, 1);
        await bus.publish(topic, 'run-2', bytes('late'));
        await sleep(50);
        assert.deepEqual(started, ['slow']);

        let releaseBus: () => void = () => undefined;
        const busGate = new Promise<void>((resolve) => (releaseBus = resolve));
        let running = false;
        await bus.subscribe(
          [topic],
          async () => {
            running = true;
            await busGate;
            running = false;
          },
          { group: 'g2' },
        );
        await bus.publish(topic, 'run-3', bytes('held'));
        await eventually('the second handler to start', () => running);
        let busClosed = false;
        const busClosing = bus.close().then(() => (busClosed = true));
        await sleep(30);
        assert.equal(busClosed, false, 'the bus closed while a handler ran');
        releaseBus();
        await busClosing;
        assert.equal(running, false);
      }));
  });
}
