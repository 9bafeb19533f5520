import { Module } from '@nestjs/common';
import { DataPrepController } from './data-prep.controller.js';

@Module({ controllers: [DataPrepController] })
export class DataPrepModule {}
