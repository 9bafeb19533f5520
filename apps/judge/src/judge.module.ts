/** The judge service: its gRPC getters, and the judge cells computed as the orchestrator requests them on the bus. */
import { Module } from '@nestjs/common';
import { UnitWorkerModule } from '@coin/service-host';
import { JudgeController } from './judge.controller.js';

@Module({ imports: [UnitWorkerModule.serve({ kinds: ['judge'] })], controllers: [JudgeController] })
export class JudgeModule {}
