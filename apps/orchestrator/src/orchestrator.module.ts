/**
 * The orchestrator: BenchmarkService and OperationsService over a RunController and a
 * SweepController, opened (resuming the unfinished runs, then going on with the unfinished sweeps)
 * when the service starts and closed when it stops: the runs in flight are left RUNNING in the store
 * for the next orchestrator, the worker services keep computing their units.
 */
import { type DynamicModule, Module } from '@nestjs/common';
import { SERVICE_CONTEXT, type ServiceContext } from '@coin/service-host';
import { BenchmarkController } from './benchmark.controller.js';
import { OperationsController } from './operations.controller.js';
import { createRunController, RUN_CONTROLLER, type RunController } from './run-controller.port.js';
import { createSweepController, SWEEP_CONTROLLER } from './sweep-controller.port.js';

@Module({})
export class OrchestratorModule {
  static register(): DynamicModule {
    return {
      module: OrchestratorModule,
      controllers: [BenchmarkController, OperationsController],
      providers: [
        {
          provide: RUN_CONTROLLER,
          inject: [SERVICE_CONTEXT],
          useFactory: async (ctx: ServiceContext) => {
            const runs = await createRunController(ctx);
            ctx.shutdown.onShutdown('runs', () => runs.close());
            return runs;
          },
        },
        {
          provide: SWEEP_CONTROLLER,
          inject: [SERVICE_CONTEXT, RUN_CONTROLLER],
          useFactory: async (ctx: ServiceContext, runs: RunController) => {
            const sweeps = await createSweepController(ctx, runs);
            ctx.shutdown.onShutdown('sweeps', () => sweeps.close());
            return sweeps;
          },
        },
      ],
    };
  }
}
