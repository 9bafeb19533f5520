/**
 * OperationsService: a run's operation (operations/{run}) and a sweep's (operations/{sweep}), read
 * and cancelled through the runs and the sweeps.
 */
import { Controller, Inject } from '@nestjs/common';
import { CoinError, invalidArgument } from '@coin/core';
import {
  type CancelOperationRequest,
  type CancelOperationResponse,
  type GetOperationRequest,
  type GetOperationResponse,
  type OperationsServiceController,
  OperationsServiceControllerMethods,
} from '@coin/contracts/nest';
import { SERVICE_CONTEXT, type ServiceContext } from '@coin/service-host';
import { RUN_CONTROLLER, type RunController, type RunRecord } from './run-controller.port.js';
import { operationMessage, runMessage } from './run-proto.js';
import { SWEEP_CONTROLLER, type Sweeps } from './sweep-controller.port.js';
import { sweepOperation } from './sweep-proto.js';

function parseOperationName(name: string): string {
  const m = /^operations\/([A-Za-z0-9][A-Za-z0-9._-]*)$/.exec(name);
  if (!m)
    throw invalidArgument(
      'NAME.INVALID',
      `${JSON.stringify(name)} is not an operation name`,
      'expected operations/{operation}',
    );
  return m[1];
}

@Controller()
@OperationsServiceControllerMethods()
export class OperationsController implements OperationsServiceController {
  constructor(
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext,
    @Inject(RUN_CONTROLLER) private readonly runs: RunController,
    @Inject(SWEEP_CONTROLLER) private readonly sweeps: Sweeps,
  ) {}

  async getOperation({ name }: GetOperationRequest): Promise<GetOperationResponse> {
    const id = parseOperationName(name);
    const run = await this.runs.get(id);
    const sweep = run ? undefined : await this.sweeps.get(id);
    if (sweep) return { operation: sweepOperation(sweep) };
    return { operation: await this.operation(name, run) };
  }

  async cancelOperation({ name }: CancelOperationRequest): Promise<CancelOperationResponse> {
    const id = parseOperationName(name);
    const known = await this.runs.get(id);
    if (!known && (await this.sweeps.get(id))) return { operation: sweepOperation(await this.sweeps.cancel(id)) };
    return { operation: await this.operation(name, known && (await this.runs.cancel(id))) };
  }

  private async operation(name: string, record: RunRecord | undefined) {
    if (!record) throw new CoinError('OPERATION.NOT_FOUND', 'NOT_FOUND', `no operation ${name}`);
    const run = record.state === 'SUCCEEDED' ? await runMessage(this.ctx.store, record) : undefined;
    return operationMessage(record, run);
  }
}
