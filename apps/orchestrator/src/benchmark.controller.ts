/**
 * BenchmarkService (docs/protocol.md#services): runs submitted, followed and cancelled through the
 * RunController port (runs over the event bus); sweeps through the SweepController port
 * (docs/protocol.md#sweeps).
 */
import { Controller, Inject } from '@nestjs/common';
import { Observable } from 'rxjs';
import { CoinError, invalidArgument } from '@coin/core';
import { RunSpec as ProtoRunSpec, SweepGrid } from '@coin/contracts';
import {
  type BenchmarkServiceController,
  BenchmarkServiceControllerMethods,
  type CancelRunRequest,
  type CancelRunResponse,
  type CreateRunRequest,
  type CreateRunResponse,
  type CancelSweepRequest,
  type CancelSweepResponse,
  type CreateSweepRequest,
  type CreateSweepResponse,
  type GetSweepRequest,
  type GetRunRequest,
  type GetRunResponse,
  type GetSweepResponse,
  type ListRunsRequest,
  type ListRunsResponse,
  type ListSweepsRequest,
  type ListSweepsResponse,
  State,
  type WatchRunRequest,
  type WatchRunResponse,
} from '@coin/contracts/nest';
import {
  EMPTY_PROGRESS,
  encodeSpecProto,
  RUN_STATE_FORMAT,
  runId,
  runSpecFromProto,
  runSpecToProto,
} from '@coin/pipeline';
import {
  evalCellMessage,
  judgeCellMessage,
  parseRunName,
  SERVICE_CONTEXT,
  type ServiceContext,
  stageMessage,
} from '@coin/service-host';
import { type FinishedUnit, FinishedUnits } from './finished-units.js';
import { RUN_CONTROLLER, type RunController, type RunRecord, TERMINAL_STATES } from './run-controller.port.js';
import { operationMessage, plannedRun, progressMessage, runMessage, STATE_ENUM, unitsDone } from './run-proto.js';
import { SWEEP_CONTROLLER, type Sweeps } from './sweep-controller.port.js';
import { parseSweepName, SWEEP_STATE_ENUM, sweepMessage, sweepOperation } from './sweep-proto.js';

const runNotFound = (name: string) =>
  new CoinError('RUN.NOT_FOUND', 'NOT_FOUND', `no run ${name}`, { hint: 'list the runs with ListRuns (coin status)' });

@Controller()
@BenchmarkServiceControllerMethods()
export class BenchmarkController implements BenchmarkServiceController {
  constructor(
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext,
    @Inject(RUN_CONTROLLER) private readonly runs: RunController,
    @Inject(SWEEP_CONTROLLER) private readonly sweeps: Sweeps,
  ) {}

  async createRun(request: CreateRunRequest): Promise<CreateRunResponse> {
    // proto-loader's object (unset messages null) in ts-proto's form, which the spec wire reads.
    const proto = ProtoRunSpec.fromPartial((request.spec ?? {}) as Parameters<typeof ProtoRunSpec.fromPartial>[0]);
    const spec = runSpecFromProto(proto);
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
        format: RUN_STATE_FORMAT,
        runId: id,
        state: 'PENDING',
        specProto: encodeSpecProto(runSpecToProto(spec)),
        spec,
        createdAt: now,
        updatedAt: now,
        progress: EMPTY_PROGRESS,
      };
      return { run: await runMessage(this.ctx.store, record, false) };
    }
    if (this.ctx.shutdown.stopping)
      throw new CoinError('RUN.ORCHESTRATOR_CLOSED', 'UNAVAILABLE', 'the orchestrator is shutting down', {
        hint: 'submit again once it is back: a run is named by its spec, so nothing is lost',
      });
    const record = await this.runs.submit(spec);
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
    const inSweep = request.sweep ? new Set((await this.sweep(request.sweep)).record.runs) : undefined;
    const matching = (await this.runs.list()).filter(
      (r) =>
        (request.state === State.STATE_UNSPECIFIED || STATE_ENUM[r.state] === request.state) &&
        (inSweep === undefined || inSweep.has(r.runId)),
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
        const first = await this.get(id);
        const finished = new FinishedUnits(this.ctx.store, await plannedRun(first));
        const signal = AbortSignal.any([stop.signal, this.ctx.shutdown.signal]);
        let last: RunRecord | undefined;
        for await (const r of this.runs.updates(id, signal)) {
          const units = await finished.since(r);
          const terminal = TERMINAL_STATES.has(r.state);
          const changed = !last || last.state !== r.state || unitsDone(last).done !== unitsDone(r).done;
          last = r;
          if (units.length === 0 && !changed && !includeSteps && !terminal) continue;
          const messages: WatchRunResponse[] =
            units.length > 0
              ? await Promise.all(units.map((u) => this.unitMessage(r, u)))
              : [{ progress: progressMessage(r) }];
          if (terminal) messages[messages.length - 1].run = await runMessage(this.ctx.store, r);
          for (const m of messages) subscriber.next(m);
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
    return { run: await runMessage(this.ctx.store, record, false) };
  }

  async createSweep(request: CreateSweepRequest): Promise<CreateSweepResponse> {
    // proto-loader's objects (unset messages null) in ts-proto's form, which the sweep model reads.
    const grid = SweepGrid.fromPartial((request.grid ?? {}) as Parameters<typeof SweepGrid.fromPartial>[0]);
    const base = ProtoRunSpec.fromPartial((request.base ?? {}) as Parameters<typeof ProtoRunSpec.fromPartial>[0]);
    if (!request.validateOnly && this.ctx.shutdown.stopping)
      throw new CoinError('SWEEP.ORCHESTRATOR_CLOSED', 'UNAVAILABLE', 'the orchestrator is shutting down', {
        hint: 'create it again once it is back: a sweep is named by its grid, so nothing is lost',
      });
    const view = await this.sweeps.create(grid, base, {
      ...(request.sweepId ? { sweepId: request.sweepId } : {}),
      validateOnly: request.validateOnly,
    });
    const sweep = sweepMessage(view);
    return request.validateOnly ? { sweep } : { operation: sweepOperation(view, sweep), sweep };
  }

  async getSweep({ name }: GetSweepRequest): Promise<GetSweepResponse> {
    return { sweep: sweepMessage(await this.sweep(name)) };
  }

  async listSweeps(request: ListSweepsRequest): Promise<ListSweepsResponse> {
    const size = Math.min(request.pageSize > 0 ? request.pageSize : 50, 1000);
    const offset = request.pageToken ? Number(request.pageToken) : 0;
    if (!Number.isInteger(offset) || offset < 0)
      throw invalidArgument(
        'SWEEP.BAD_PAGE_TOKEN',
        `page_token ${JSON.stringify(request.pageToken)} is not one this server gave`,
      );
    const matching = (await this.sweeps.list()).filter(
      (v) => request.state === State.STATE_UNSPECIFIED || SWEEP_STATE_ENUM[v.state] === request.state,
    );
    return {
      sweeps: matching.slice(offset, offset + size).map((v) => sweepMessage(v)),
      nextPageToken: offset + size < matching.length ? String(offset + size) : '',
      totalSize: matching.length,
    };
  }

  async cancelSweep({ name }: CancelSweepRequest): Promise<CancelSweepResponse> {
    return { sweep: sweepMessage(await this.sweeps.cancel(parseSweepName(name))) };
  }

  private async sweep(name: string) {
    const view = await this.sweeps.get(parseSweepName(name));
    if (!view)
      throw new CoinError('SWEEP.NOT_FOUND', 'NOT_FOUND', `no sweep ${name}`, {
        hint: 'list the sweeps with ListSweeps (coin sweep status)',
      });
    return view;
  }

  private async get(id: string): Promise<RunRecord> {
    const record = await this.runs.get(id);
    if (!record) throw runNotFound(`runs/${id}`);
    return record;
  }

  /** A stream message naming a unit that finished, with the run's progress. */
  private async unitMessage(record: RunRecord, u: FinishedUnit): Promise<WatchRunResponse> {
    const run = await plannedRun(record);
    const message: WatchRunResponse = { progress: progressMessage(record) };
    if (u.kind === 'stage') message.stage = stageMessage(run, u.unit, u.state);
    else if (u.kind === 'eval') message.evalCell = evalCellMessage(run, u.unit, u.state);
    else message.judgeCell = judgeCellMessage(run, u.unit, u.state);
    return message;
  }
}
