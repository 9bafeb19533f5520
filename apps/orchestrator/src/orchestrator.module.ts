/**
 * The orchestrator: BenchmarkService and OperationsService over a RunController, which resumes
 * unfinished runs when the service starts and is drained when it stops.
 */
import { type DynamicModule, Inject, Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { SERVICE_CONTEXT, type ServiceContext } from '@coin/service-host';
import { BenchmarkController } from './benchmark.controller.js';
import { OperationsController } from './operations.controller.js';
import { ORCHESTRATOR_OPTIONS, type OrchestratorOptions } from './orchestrator-options.js';
import { createRunController, RUN_CONTROLLER, type RunController } from './run-controller.port.js';

@Injectable()
class RunLifecycle implements OnApplicationBootstrap {
  constructor(
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext,
    @Inject(RUN_CONTROLLER) private readonly runs: RunController,
  ) {
    ctx.shutdown.onShutdown('runs', (deadline) => runs.close(deadline));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runs.resume();
  }
}

@Module({})
export class OrchestratorModule {
  static register(options: OrchestratorOptions = {}): DynamicModule {
    return {
      module: OrchestratorModule,
      controllers: [BenchmarkController, OperationsController],
      providers: [
        { provide: ORCHESTRATOR_OPTIONS, useValue: options },
        {
          provide: RUN_CONTROLLER,
          inject: [SERVICE_CONTEXT],
          useFactory: (ctx: ServiceContext) => createRunController(ctx),
        },
        RunLifecycle,
      ],
    };
  }
}
