/** The evaluator service: its gRPC getters, and the evaluation cells computed as the orchestrator requests them on the bus. */
import { Module } from '@nestjs/common';
import { UnitWorkerModule } from '@coin/service-host';
import { EvaluatorController } from './evaluator.controller.js';

@Module({ imports: [UnitWorkerModule.serve({ kinds: ['eval'] })], controllers: [EvaluatorController] })
export class EvaluatorModule {}
