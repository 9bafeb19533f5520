/** The trainer service process (docs/protocol.md#services). */
import 'reflect-metadata';
import { runServiceMain } from '@coin/service-host';
import { TrainerModule } from './trainer.module.js';

await runServiceMain({ name: 'trainer', module: TrainerModule, services: ['TrainerService'], defaultPort: 50053 });
