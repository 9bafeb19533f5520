/** EvaluatorService: a run's evaluation cells as the store holds them (docs/protocol.md#services). */
import { Controller, Inject } from '@nestjs/common';
import {
  type EvaluateCellResponse,
  type EvaluatorServiceController,
  EvaluatorServiceControllerMethods,
  type GetEvalCellRequest,
  type GetEvalCellResponse,
} from '@coin/contracts/nest';
import { unitState } from '@coin/platform';
import {
  evalCellMessage,
  evalCellOf,
  loadPlannedRun,
  notServedYet,
  parseEvalCellName,
  SERVICE_CONTEXT,
  type ServiceContext,
} from '@coin/service-host';

@Controller()
@EvaluatorServiceControllerMethods()
export class EvaluatorController implements EvaluatorServiceController {
  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext) {}

  evaluateCell(): EvaluateCellResponse {
    throw notServedYet('EvaluatorService.EvaluateCell', 'evaluation cells are computed');
  }

  async getEvalCell({ name }: GetEvalCellRequest): Promise<GetEvalCellResponse> {
    const cell = parseEvalCellName(name);
    const run = await loadPlannedRun(this.ctx.store, cell.run);
    const unit = evalCellOf(run, cell);
    return { evalCell: evalCellMessage(run, unit, await unitState(this.ctx.store, unit.prefix, { verify: 'size' })) };
  }
}
