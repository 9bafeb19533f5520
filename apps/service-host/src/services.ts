/**
 * The coin.v1 gRPC services a process can host, and the .proto file each is defined in. A process
 * loads only its own services' files, so it serves nothing it has no handlers for.
 */
import { GRPC_PACKAGE } from '@coin/contracts/nest';

export const SERVICE_FILES = {
  BenchmarkService: 'coin/v1/benchmark_service.proto',
  OperationsService: 'coin/v1/operations_service.proto',
  DataPrepService: 'coin/v1/data_prep_service.proto',
  TrainerService: 'coin/v1/trainer_service.proto',
  EvaluatorService: 'coin/v1/evaluator_service.proto',
  JudgeService: 'coin/v1/judge_service.proto',
} as const;

export type CoinServiceName = keyof typeof SERVICE_FILES;

/** The fully qualified name health checks and reflection use, e.g. `coin.v1.TrainerService`. */
export function qualifiedName(service: CoinServiceName): string {
  return `${GRPC_PACKAGE}.${service}`;
}
