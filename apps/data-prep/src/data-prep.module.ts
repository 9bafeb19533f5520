/** The data-prep service: its gRPC getters, and the world (CoIN-Synth) a run trains and tests on computed as the orchestrator requests them on the bus. */
import { Module } from '@nestjs/common';
import { UnitWorkerModule } from '@coin/service-host';
import { DataPrepController } from './data-prep.controller.js';

@Module({ imports: [UnitWorkerModule.serve({ kinds: ['prep'] })], controllers: [DataPrepController] })
export class DataPrepModule {}
