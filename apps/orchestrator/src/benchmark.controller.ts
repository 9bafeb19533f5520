/**
 * BenchmarkService (docs/protocol.md#services): runs submitted, followed and cancelled through the
 * RunController port; sweeps are not served yet.
 */
import { Controller, Inject } from '@nestjs/common';
import { Observable } from 'rxjs';
import { CoinError, invalidArgument } from '@coin/core';
import {
  type BenchmarkServiceController,
  BenchmarkServiceControllerMethods,
  type CancelRunRequest,
  type CancelRunResponse,
  type CreateRunRequest,
  type CreateRunResponse,
  type CreateSweepResponse,
  type GetRunRequest,
  type GetRunResponse,
  type GetSweepResponse,
  type ListRunsRequest,
  type ListRunsResponse,
  State,
  type WatchRunRequest,
  type WatchRunResponse,
} from '@coin/contracts/nest';
import { runId, type RunSpecInput } from '@coin/pipeline';
import { unitState } from '@coin/platform';
import {
  evalCellMessage,
  judgeCellMessage,
  notServedYet,
  parseRunName,
  SERVICE_CONTEXT,
  type ServiceContext,
  stageMessage,
} from '@coin/service-host';
import { ORCHESTRATOR_OPTIONS } from './orchestrator-options.js';
import {
  RUN_CONTROLLER,
  type RunController,
  type RunProgress,
  type RunRecord,
  TERMINAL_STATES,
} from './run-controller.port.js';
import { operationMessage, plannedRun, progressMessage, runMessage, STATE_ENUM } from './run-proto.js';
import { runSpecFromProto } from './spec-wire.js';

const runNotFound = (name: string) =>
  new CoinError('RUN.NOT_FOUND', 'NOT_FOUND', `no run ${name}`, { hint: 'list the runs with ListRuns (coin status)' });

@Controller()
@BenchmarkServiceControllerMethods()
export class BenchmarkController implements BenchmarkServiceController {
  constructor(
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext,
    @Inject(RUN_CONTROLLER) private readonly runs: RunController,
    @Inject(ORCHESTRATOR_OPTIONS) private readonly options: { readonly specDefaults?: Partial<RunSpecInput> },
  ) {}

  async createRun(request: CreateRunRequest): Promise<CreateRunResponse> {
    const spec = runSpecFromProto(request.spec ?? undefined, this.options.specDefaults);
    const id = runId(spec);
    if (request.runId && request.runId !== id)
      throw invalidArgument(
        'RUN.ID_MISMATCH',
        `run_id ${JSON.stringify(request.runId)} differs from the id the spec derives, ${id}`,
        'leave run_id empty: a run is named by its spec, so equal specs share their units',
      );
    if (request.validateOnly) {
      const now = new Date().toISOString();
      const record: RunRecord = {
        id,
        spec,
        state: 'PENDING',
        createdAt: now,
        updatedAt: now,
        progress: {
          state: 'PENDING',
          cause: 'state',
          stages: { done: 0, total: 0 },
          evalCells: { done: 0, total: 0 },
          judgeCells: { done: 0, total: 0 },
          message: 'validated, not started',
          updatedAt: now,
        },
      };
      return { run: await runMessage(this.ctx.store, record, false) };
    }
    await this.runs.submit(spec);
    const record = await this.get(id);
    const run = await runMessage(this.ctx.store, record, false);
    return { operation: operationMessage(record, run), run };
  }

  async getRun({ name }: GetRunRequest): Promise<GetRunResponse> {
    return { run: await runMessage(this.ctx.store, await this.get(parseRunName(name).run)) };
  }

  async listRuns(request: ListRunsRequest): Promise<ListRunsResponse> {
    const size = Math.min(request.pageSize > 0 ? request.pageSize : 50, 1000);
    const offset = request.pageToken ? Number(request.pageToken) : 0;
    if (!Number.isInteger(offset) || offset < 0)
      throw invalidArgument(
        'RUN.BAD_PAGE_TOKEN',
        `page_token ${JSON.stringify(request.pageToken)} is not one this server gave`,
      );
    const matching = (await this.runs.list()).filter(
      (r) =>
        (request.state === State.STATE_UNSPECIFIED || STATE_ENUM[r.state] === request.state) && request.sweep === '',
    );
    const page = matching.slice(offset, offset + size);
    return {
      runs: await Promise.all(page.map((r) => runMessage(this.ctx.store, r, false))),
      nextPageToken: offset + size < matching.length ? String(offset + size) : '',
      totalSize: matching.length,
    };
  }

  watchRun({ name, includeSteps }: WatchRunRequest): Observable<WatchRunResponse> {
    const id = parseRunName(name).run;
    return new Observable<WatchRunResponse>((subscriber) => {
      const stop = new AbortController();
      (async () => {
        let last: RunProgress | undefined;
        for await (const p of this.runs.watch(id, stop.signal)) {
          last = p;
          if (p.cause === 'step' && !includeSteps) continue;
          subscriber.next(await this.watchMessage(id, p));
        }
        if (stop.signal.aborted) return;
        if (!last || !TERMINAL_STATES.has(last.state))
          throw new CoinError(
            'RUN.WATCH_INTERRUPTED',
            'UNAVAILABLE',
            `stopped watching ${name}: the orchestrator is shutting down`,
            {
              hint: 'watch again: the run continues when the orchestrator is back',
            },
          );
        subscriber.complete();
      })().catch((e: unknown) => subscriber.error(e));
      return () => stop.abort();
    });
  }

  async cancelRun({ name }: CancelRunRequest): Promise<CancelRunResponse> {
    const record = await this.runs.cancel(parseRunName(name).run);
    if (!record) throw runNotFound(name);
    return { run: await runMessage(this.ctx.store, record, false) };
  }

  createSweep(): CreateSweepResponse {
    throw notServedYet('BenchmarkService.CreateSweep', 'sweeps');
  }

  getSweep(): GetSweepResponse {
    throw notServedYet('BenchmarkService.GetSweep', 'sweeps');
  }

  private async get(id: string): Promise<RunRecord> {
    const record = await this.runs.get(id);
    if (!record) throw runNotFound(`runs/${id}`);
    return record;
  }

  /** One stream message: the progress, the unit that finished (if any), the run when terminal. */
  private async watchMessage(id: string, p: RunProgress): Promise<WatchRunResponse> {
    const message: WatchRunResponse = { progress: progressMessage(id, p) };
    const record = await this.get(id);
    if (p.changed) {
      const run = await plannedRun(record);
      const state = (prefix: string) => unitState(this.ctx.store, prefix, { verify: 'size' });
      const { key } = p.changed;
      const stage = run.plan.stages.find((s) => s.key === key);
      const cell = [...run.plan.zeroShot, ...run.plan.evals.flat()].find((c) => c.key === key);
      const judge = run.plan.judges.find((j) => j.key === key);
      if (stage) message.stage = stageMessage(run, stage, await state(stage.prefix));
      else if (cell) message.evalCell = evalCellMessage(run, cell, await state(cell.prefix));
      else if (judge) message.judgeCell = judgeCellMessage(run, judge, await state(judge.prefix));
    }
    if (TERMINAL_STATES.has(p.state)) message.run = await runMessage(this.ctx.store, record);
    return message;
  }
}
