/**
 * Clients for what every service serves besides its own API: grpc.health.v1 (Check, Watch) and
 * server reflection v1 (ListServices). Used by the services' tests and by `coin stack status`.
 */
import {
  type Client,
  credentials,
  loadPackageDefinition,
  makeClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { service as healthService } from 'grpc-health-check';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

type Callback<T> = (e: ServiceError | null, r: T) => void;
interface HealthClient extends Client {
  check(request: { service: string }, callback: Callback<{ status: ServingStatus }>): void;
  watch(request: { service: string }): NodeJS.EventEmitter & { cancel(): void };
}

const HealthClientCtor = makeClientConstructor(healthService, 'grpc.health.v1.Health') as unknown as new (
  address: string,
  creds: ReturnType<typeof credentials.createInsecure>,
) => HealthClient;

export function healthClient(address: string): HealthClient {
  return new HealthClientCtor(address, credentials.createInsecure());
}

/** One Check call: the status, or the call's error. */
export async function checkHealth(address: string, service = ''): Promise<ServingStatus> {
  const client = healthClient(address);
  try {
    return await new Promise((resolve, reject) =>
      client.check({ service }, (e, r) => (e ? reject(e) : resolve(r.status))),
    );
  } finally {
    client.close();
  }
}

/** A Watch stream: every status the server sends, until `stop()`. */
export function watchHealth(address: string, service = '') {
  const client = healthClient(address);
  const call = client.watch({ service });
  const seen: ServingStatus[] = [];
  const waiters: { status: ServingStatus; resolve: () => void }[] = [];
  call.on('data', (m: { status: ServingStatus }) => {
    seen.push(m.status);
    for (const w of waiters.filter((w) => w.status === m.status)) w.resolve();
  });
  call.on('error', () => {});
  return {
    seen,
    /** Resolves once `status` has been received. */
    until(status: ServingStatus): Promise<void> {
      if (seen.includes(status)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ status, resolve }));
    },
    stop(): void {
      call.cancel();
      client.close();
    },
  };
}

interface ReflectionStream extends NodeJS.EventEmitter {
  write(m: unknown): void;
  end(): void;
}
interface ReflectionClient extends Client {
  serverReflectionInfo(): ReflectionStream;
}

function reflectionClient(address: string): ReflectionClient {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('@grpc/reflection/package.json'));
  const definition = loadSync('grpc/reflection/v1/reflection.proto', {
    includeDirs: [join(root, 'build/proto')],
    keepCase: true,
  });
  const pkg = loadPackageDefinition(definition) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: new (a: string, c: unknown) => ReflectionClient } } };
  };
  return new pkg.grpc.reflection.v1.ServerReflection(address, credentials.createInsecure());
}

/** The service names the server's reflection lists. */
export async function reflectedServices(address: string): Promise<string[]> {
  const client = reflectionClient(address);
  try {
    return await new Promise<string[]>((resolve, reject) => {
      const call = client.serverReflectionInfo();
      call.on('data', (m: { list_services_response?: { service: { name: string }[] } }) => {
        resolve((m.list_services_response?.service ?? []).map((s) => s.name).sort());
        call.end();
      });
      call.on('error', reject);
      call.write({ list_services: '' });
    });
  } finally {
    client.close();
  }
}
