/** The judge service process (docs/protocol.md#services). */
import 'reflect-metadata';
import { runServiceMain } from '@coin/service-host';
import { JudgeModule } from './judge.module.js';

await runServiceMain({ name: 'judge', module: JudgeModule, services: ['JudgeService'], defaultPort: 50055 });
