/**
 * grpc.health.v1.Health for a service's own gRPC services and the server as a whole (service
 * name ''): UNKNOWN→SERVING once listening, NOT_SERVING from the moment shutdown begins, so load
 * balancers and Kubernetes probes stop sending work before the server stops accepting it.
 */
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import type { Server } from '@grpc/grpc-js';

export class ServiceHealth {
  readonly #impl: HealthImplementation;
  readonly #names: readonly string[];

  /** @param services fully qualified names, e.g. `coin.v1.TrainerService`. */
  constructor(services: readonly string[]) {
    this.#names = ['', ...services];
    this.#impl = new HealthImplementation(Object.fromEntries(this.#names.map((n) => [n, 'NOT_SERVING'])));
  }

  addToServer(server: Pick<Server, 'addService'>): void {
    this.#impl.addToServer(server as Server);
  }

  set(status: ServingStatus): void {
    for (const name of this.#names) this.#impl.setStatus(name, status);
  }
}
