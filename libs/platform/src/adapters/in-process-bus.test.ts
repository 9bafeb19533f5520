import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { eventBusContract } from '../testing/event-bus-contract.js';
import { isCoinErrorWith } from '../testing/store-fixture.js';
import { waitFor } from '../testing/wait.js';
import { InProcessEventBus } from './in-process-bus.js';

eventBusContract('InProcessEventBus', async () => ({ bus: new InProcessEventBus(), cleanup: async () => undefined }));

const bytes = (text: string) => new TextEncoder().encode(text);

test('a key being retried does not hold up other keys', async () => {
  const bus = new InProcessEventBus();
  const handled: string[] = [];
  let poisonAttempts = 0;
  await bus.subscribe(
    ['t'],
    async (m) => {
      if (m.key === 'poison') {
        poisonAttempts++;
        throw new Error('no');
      }
      handled.push(m.key);
    },
    { group: 'g', maxAttempts: 3, retryBackoffMs: 200 },
  );
  await bus.publish('t', 'poison', bytes('x'));
  await bus.publish('t', 'healthy', bytes('y'));
  await waitFor('the healthy key', () => handled.length === 1);
  assert.equal(poisonAttempts, 1, 'the healthy key ran while the poison one waited to retry');
  await bus.close();
});

test('failed deliveries are reported to onHandlerError; a closed bus refuses publish', async () => {
  const errors: string[] = [];
  const bus = new InProcessEventBus({ onHandlerError: (e, m) => errors.push(`${m.attempt}:${(e as Error).message}`) });
  await bus.subscribe(
    ['t'],
    async () => {
      throw new Error('boom');
    },
    { group: 'g', maxAttempts: 2, retryBackoffMs: 1 },
  );
  await bus.publish('t', 'k', bytes('x'));
  await waitFor('two failures', () => errors.length === 2);
  assert.deepEqual(errors, ['1:boom', '2:boom']);
  await bus.close();
  await assert.rejects(bus.publish('t', 'k', bytes('x')), isCoinErrorWith('BUS.CLOSED', 'FAILED_PRECONDITION'));
});

test('a message is copied on publish, so later changes to the caller buffer do not reach handlers', async () => {
  const bus = new InProcessEventBus();
  const buffer = bytes('abc');
  await bus.publish('t', 'k', buffer);
  buffer[0] = 0x7a;
  const seen: string[] = [];
  await bus.subscribe(['t'], async (m) => void seen.push(new TextDecoder().decode(m.value)), {
    group: 'g',
    fromBeginning: true,
  });
  await waitFor('the replay', () => seen.length === 1);
  assert.deepEqual(seen, ['abc']);
  await bus.close();
});
