import { Module } from '@nestjs/common';
import { JudgeController } from './judge.controller.js';

@Module({ controllers: [JudgeController] })
export class JudgeModule {}
