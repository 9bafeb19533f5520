import { Module } from '@nestjs/common';
import { EvaluatorController } from './evaluator.controller.js';

@Module({ controllers: [EvaluatorController] })
export class EvaluatorModule {}
