/** The data-prep service process (docs/protocol.md#services). */
import 'reflect-metadata';
import { runServiceMain } from '@coin/service-host';
import { DataPrepModule } from './data-prep.module.js';

await runServiceMain({ name: 'data-prep', module: DataPrepModule, services: ['DataPrepService'], defaultPort: 50052 });
