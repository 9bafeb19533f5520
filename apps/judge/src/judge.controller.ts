/** JudgeService: a run's judge cells as the store holds them (docs/protocol.md#services). */
import { Controller, Inject } from '@nestjs/common';
import {
  type GetJudgeCellRequest,
  type GetJudgeCellResponse,
  type JudgeEvalCellResponse,
  type JudgeServiceController,
  JudgeServiceControllerMethods,
} from '@coin/contracts/nest';
import { unitState } from '@coin/platform';
import {
  judgeCellMessage,
  judgeCellOf,
  loadPlannedRun,
  notServedYet,
  parseJudgeCellName,
  SERVICE_CONTEXT,
  type ServiceContext,
} from '@coin/service-host';

@Controller()
@JudgeServiceControllerMethods()
export class JudgeController implements JudgeServiceController {
  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext) {}

  judgeEvalCell(): JudgeEvalCellResponse {
    throw notServedYet('JudgeService.JudgeEvalCell', 'judge cells are computed');
  }

  async getJudgeCell({ name }: GetJudgeCellRequest): Promise<GetJudgeCellResponse> {
    const cell = parseJudgeCellName(name);
    const run = await loadPlannedRun(this.ctx.store, cell.run);
    const unit = judgeCellOf(run, cell);
    return { judgeCell: judgeCellMessage(run, unit, await unitState(this.ctx.store, unit.prefix, { verify: 'size' })) };
  }
}
