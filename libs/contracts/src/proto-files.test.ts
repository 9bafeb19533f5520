import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadSync } from '@grpc/proto-loader';
import { EVENTS_PROTO_FILE, GRPC_LOADER_OPTIONS, GRPC_PACKAGE, PROTO_DIR, SERVICE_PROTO_FILES } from './proto-files.js';

describe('shipped .proto files', () => {
  it('PROTO_DIR holds every service file and events.proto', () => {
    const services = readdirSync(join(PROTO_DIR, 'coin', 'v1'))
      .filter((f) => f.endsWith('_service.proto'))
      .map((f) => `coin/v1/${f}`)
      .sort();
    assert.deepEqual([...SERVICE_PROTO_FILES].sort(), services);
    assert.ok(existsSync(join(PROTO_DIR, EVENTS_PROTO_FILE)));
  });

  it('loads with the Nest loader options and defines the six services in coin.v1', () => {
    const definition = loadSync([...SERVICE_PROTO_FILES], GRPC_LOADER_OPTIONS);
    // Message and enum entries carry a `format`; service entries are maps of methods.
    const services = Object.keys(definition).filter(
      (k) => k.startsWith(`${GRPC_PACKAGE}.`) && !('format' in definition[k]),
    );
    assert.deepEqual(services.sort(), [
      'coin.v1.BenchmarkService',
      'coin.v1.DataPrepService',
      'coin.v1.EvaluatorService',
      'coin.v1.JudgeService',
      'coin.v1.OperationsService',
      'coin.v1.TrainerService',
    ]);
    const benchmark = definition['coin.v1.BenchmarkService'] as Record<string, { responseStream: boolean }>;
    assert.equal(benchmark.WatchRun.responseStream, true);
    assert.equal(benchmark.CreateRun.responseStream, false);
  });
});
