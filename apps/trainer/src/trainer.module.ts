/** The trainer service: its gRPC getters, and the base model and the training stages computed as the orchestrator requests them on the bus. */
import { Module } from '@nestjs/common';
import { UnitWorkerModule } from '@coin/service-host';
import { TrainerController } from './trainer.controller.js';

@Module({ imports: [UnitWorkerModule.serve({ kinds: ['pretrain', 'stage'] })], controllers: [TrainerController] })
export class TrainerModule {}
