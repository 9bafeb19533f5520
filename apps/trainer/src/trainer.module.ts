/**
 * The trainer service: its gRPC getters, and the base model and the training stages computed as the
 * orchestrator requests them on the bus — here, or each as a Kubernetes Job when
 * `kubernetes.trainerImage` is set (docs/protocol.md#worker-pods).
 */
import { Module } from '@nestjs/common';
import { UnitWorkerModule } from '@coin/service-host';
import { TrainerController } from './trainer.controller.js';

@Module({
  imports: [UnitWorkerModule.serve({ kinds: ['pretrain', 'stage'], jobKinds: ['pretrain', 'stage'] })],
  controllers: [TrainerController],
})
export class TrainerModule {}
