/** DataPrepService: prepared datasets as the store holds them (docs/protocol.md#services). */
import { Controller, Inject } from '@nestjs/common';
import { CoinError } from '@coin/core';
import {
  type DataPrepServiceController,
  DataPrepServiceControllerMethods,
  type GetDatasetRequest,
  type GetDatasetResponse,
  type PrepareDatasetResponse,
} from '@coin/contracts/nest';
import { unitState } from '@coin/platform';
import {
  datasetMessage,
  notServedYet,
  parseDatasetName,
  SERVICE_CONTEXT,
  type ServiceContext,
} from '@coin/service-host';

@Controller()
@DataPrepServiceControllerMethods()
export class DataPrepController implements DataPrepServiceController {
  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext) {}

  prepareDataset(): PrepareDatasetResponse {
    throw notServedYet('DataPrepService.PrepareDataset', 'datasets (CoIN-Synth worlds) are prepared');
  }

  async getDataset({ name }: GetDatasetRequest): Promise<GetDatasetResponse> {
    const { dataset } = parseDatasetName(name);
    const state = await unitState(this.ctx.store, `datasets/${dataset}`, { verify: 'size' });
    if (state.state === 'absent')
      throw new CoinError('DATASET.NOT_FOUND', 'NOT_FOUND', `no dataset ${name} in ${this.ctx.store.url}`, {
        hint: 'a run prepares its world when it starts; GetRun names its stages, whose `dataset` is the world',
        details: { name },
      });
    return { dataset: datasetMessage(dataset, state) };
  }
}
