/** The orchestrator service process (docs/protocol.md#services). */
import 'reflect-metadata';
import { runServiceMain } from '@coin/service-host';
import { OrchestratorModule } from './orchestrator.module.js';

await runServiceMain({
  name: 'orchestrator',
  module: OrchestratorModule.register(),
  services: ['BenchmarkService', 'OperationsService'],
  defaultPort: 50051,
});
