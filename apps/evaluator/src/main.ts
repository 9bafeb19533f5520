/** The evaluator service process (docs/protocol.md#services). */
import 'reflect-metadata';
import { runServiceMain } from '@coin/service-host';
import { EvaluatorModule } from './evaluator.module.js';

await runServiceMain({
  name: 'evaluator',
  module: EvaluatorModule,
  services: ['EvaluatorService'],
  defaultPort: 50054,
});
