/**
 * gRPC server reflection (v1 and v1alpha) over the services a process loaded plus the health
 * service, so `grpcurl -plaintext HOST:PORT list` and `describe` work without the .proto files.
 */
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import type { Server } from '@grpc/grpc-js';
import { protoPath as healthProto } from 'grpc-health-check';

export function addReflection(served: PackageDefinition, server: Pick<Server, 'addService'>): void {
  const health = loadSync(healthProto);
  new ReflectionService({ ...served, ...health }).addToServer(server);
}
