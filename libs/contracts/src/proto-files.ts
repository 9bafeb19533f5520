/**
 * Where the .proto files are at run time. NestJS's gRPC transport (and @grpc/proto-loader in
 * general) parses the .proto files when a server or client starts, so they ship with the code:
 * the repo's proto/ folder is the single source of truth, found relative to this file. An image
 * that runs the services must keep proto/ next to libs/ (as the repo layout has it).
 */
import { fileURLToPath } from 'node:url';
import type { Options } from '@grpc/proto-loader';

/** Absolute path of the repo's proto/ folder (the import root: files are `coin/v1/*.proto`). */
export const PROTO_DIR = fileURLToPath(new URL('../../../proto/', import.meta.url));

/** The protobuf package of every CoIN-TS service and message (Nest's `package` option). */
export const GRPC_PACKAGE = 'coin.v1';

/** The files that define gRPC services, relative to PROTO_DIR (Nest's `protoPath`). */
export const SERVICE_PROTO_FILES = [
  'coin/v1/benchmark_service.proto',
  'coin/v1/data_prep_service.proto',
  'coin/v1/evaluator_service.proto',
  'coin/v1/judge_service.proto',
  'coin/v1/operations_service.proto',
  'coin/v1/trainer_service.proto',
] as const;

/** The file that defines the event payloads, relative to PROTO_DIR. */
export const EVENTS_PROTO_FILE = 'coin/v1/events.proto';

/**
 * @grpc/proto-loader options under which the objects a loaded service receives and returns match
 * the ts-proto Nest types: camelCase keys, int64 as number, enums as numbers, scalars and empty
 * repeated/map fields always present. Unset message fields arrive as null (the types say
 * undefined; read them with `?.`). A proto3 `optional` scalar is absent when unset and present
 * when set, even to 0 (proto-loader adds a `_<name>` key beside it, which the types do not
 * declare). Use as Nest's `loader` option.
 */
export const GRPC_LOADER_OPTIONS: Options = {
  keepCase: false,
  longs: Number,
  enums: Number,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};
