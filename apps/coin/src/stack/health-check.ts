/** grpc.health.v1 Check against a service, with a deadline: the status, or why it could not be asked. */
import { credentials, makeClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

type Check = (
  request: { service: string },
  options: { deadline: number },
  callback: (e: ServiceError | null, r: { status: string | number }) => void,
) => void;

const HealthClient = makeClientConstructor(healthService, 'grpc.health.v1.Health');
const NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** `SERVING`, `NOT_SERVING`, … or `unreachable (<reason>)`. Never throws. */
export async function healthOf(address: string, timeoutMs = 2000): Promise<string> {
  const client = new HealthClient(address, credentials.createInsecure());
  try {
    return await new Promise<string>((resolve) =>
      (client as unknown as { check: Check }).check({ service: '' }, { deadline: Date.now() + timeoutMs }, (e, r) =>
        resolve(
          e
            ? `unreachable (${e.details || e.message})`
            : typeof r.status === 'number'
              ? (NAMES[r.status] ?? String(r.status))
              : r.status,
        ),
      ),
    );
  } finally {
    client.close();
  }
}
