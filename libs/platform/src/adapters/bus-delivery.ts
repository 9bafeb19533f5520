import type { BusHandler, BusMessage } from '../ports/event-bus.js';

/**
 * Calls a bus handler once, the call tracked in `running` while it lasts (so a subscription's close
 * can wait for it): undefined when it succeeded, else what it threw. Both EventBus adapters deliver
 * through it.
 */
export async function deliverOnce(
  handler: BusHandler,
  message: BusMessage,
  running: Set<Promise<void>>,
): Promise<{ thrown: unknown } | undefined> {
  const call = (async () => handler(message))();
  const settled = call.then(
    () => undefined,
    () => undefined,
  );
  running.add(settled);
  try {
    await call;
    return undefined;
  } catch (thrown) {
    return { thrown };
  } finally {
    running.delete(settled);
  }
}
