/** TrainerService: a run's stages as the store holds them (docs/protocol.md#services). */
import { Controller, Inject } from '@nestjs/common';
import {
  type GetStageRequest,
  type GetStageResponse,
  type TrainerServiceController,
  TrainerServiceControllerMethods,
  type TrainStageResponse,
} from '@coin/contracts/nest';
import { unitState } from '@coin/platform';
import {
  loadPlannedRun,
  notServedYet,
  parseStageName,
  SERVICE_CONTEXT,
  type ServiceContext,
  stageMessage,
  stageOf,
} from '@coin/service-host';

@Controller()
@TrainerServiceControllerMethods()
export class TrainerController implements TrainerServiceController {
  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext) {}

  trainStage(): TrainStageResponse {
    throw notServedYet('TrainerService.TrainStage', 'stages are trained');
  }

  async getStage({ name }: GetStageRequest): Promise<GetStageResponse> {
    const { run: id, stage: index } = parseStageName(name);
    const run = await loadPlannedRun(this.ctx.store, id);
    const stage = stageOf(run, index);
    return { stage: stageMessage(run, stage, await unitState(this.ctx.store, stage.prefix, { verify: 'size' })) };
  }
}
