/**
 * A sweep's grid expanded into its runs (docs/protocol.md#sweeps): proto/coin/v1's SweepGrid and
 * base RunSpec, in the order sweep.proto documents — presets (or base models, or models) outermost,
 * then methods, task orders, variants, fractions, and seeds innermost. Each run is the base with the
 * grid's values set and the settings of other methods dropped, read with `runSpecFromProto`, so its
 * id is `runId(spec)`: a run shared with another sweep or with `coin run` is the same run. The sweep
 * id hashes the runs' ids in grid order, behind a readable prefix.
 */
import { canonicalJson, invalidArgument, sha256Hex } from '@coin/core';
import {
  InstructionVariant,
  Method,
  Preset,
  RunSpec as ProtoRunSpec,
  type SweepGrid,
  type TaskOrder,
} from '@coin/contracts';
import { METHODS } from '@coin/training';
import { METHOD_FLAG_FIELDS, runSpecFromProto } from '../bus/spec-wire.js';
import { METHOD_CATALOGUE } from '../spec/method-catalogue.js';
import { type MethodCatalogue, runId, type RunSpec } from '../spec/run-spec.js';

export interface ExpandedSweep {
  /** sweep id: `sweep-<methods>-<n>r-<hash>` (lower-case letters, digits, '-', at most 63). */
  readonly id: string;
  /** The runs in grid order. */
  readonly specs: readonly RunSpec[];
  /** `runId` of each run, in the same order. */
  readonly runIds: readonly string[];
}

/** Runs one sweep may hold: a grid past this is a mistake (or several sweeps). */
export const MAX_SWEEP_RUNS = 10_000;

const bad = (message: string, hint?: string) => invalidArgument('SWEEP.BAD_GRID', message, hint);

function getAt(source: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], source);
}

function deleteAt(target: Record<string, unknown>, path: string): void {
  const keys = path.split('.');
  const parent = getAt(target, keys.slice(0, -1).join('.')) as Record<string, unknown> | undefined;
  if (parent && typeof parent === 'object') delete parent[keys.at(-1)!];
}

/** The RunSpec fields the method's own flags travel in. */
function methodFields(method: string): Set<string> {
  return new Set(
    METHODS.get(method)
      .flags.map((f) => METHOD_FLAG_FIELDS[f.name])
      .filter(Boolean),
  );
}

function methodName(value: Method, catalogue: MethodCatalogue): string {
  const name = catalogue.names.find((n) => Method[`METHOD_${n.toUpperCase()}` as keyof typeof Method] === value);
  if (name === undefined) throw bad(`grid.methods: ${Method[value] ?? value} is not a method`);
  return name;
}

function checkDistinct<T>(axis: string, values: readonly T[], show: (v: T) => string = String): void {
  const seen = new Set<string>();
  for (const v of values) {
    const k = canonicalJson(v as never);
    if (seen.has(k)) throw bad(`grid.${axis} names ${show(v)} twice`, 'give each value of an axis once');
    seen.add(k);
  }
}

/** One axis: its values, or the single "keep the base's" value when it is empty. */
const axis = <T>(values: readonly T[]): readonly (T | undefined)[] => (values.length > 0 ? values : [undefined]);

/** Every run of the grid over the base, resolved and checked; SWEEP.BAD_GRID for a grid that cannot be. */
export function expandSweep(
  grid: SweepGrid,
  base: ProtoRunSpec,
  catalogue: MethodCatalogue = METHOD_CATALOGUE,
): ExpandedSweep {
  if (grid.presets.length > 0 && grid.baseModels.length > 0)
    throw bad('grid.presets and grid.base_models are both set', 'a base model fixes its preset: give one of the two');
  checkDistinct('presets', grid.presets, (p) => Preset[p] ?? String(p));
  checkDistinct('base_models', grid.baseModels);
  checkDistinct('models', grid.models);
  checkDistinct('methods', grid.methods, (m) => Method[m] ?? String(m));
  checkDistinct('task_orders', grid.taskOrders, (o) => o.tasks.join(','));
  checkDistinct('instruction_variants', grid.instructionVariants, (v) => InstructionVariant[v] ?? String(v));
  checkDistinct('data_fractions', grid.dataFractions);
  checkDistinct('seeds', grid.seeds);
  for (const o of grid.taskOrders) if (o.tasks.length === 0) throw bad('grid.task_orders holds an empty order');
  const count = [
    grid.presets.length || grid.baseModels.length || grid.models.length,
    grid.methods.length,
    grid.taskOrders.length,
    grid.instructionVariants.length,
    grid.dataFractions.length,
    grid.seeds.length,
  ].reduce((n, k) => n * Math.max(k, 1), 1);
  if (count > MAX_SWEEP_RUNS)
    throw bad(`the grid has ${count} runs, more than ${MAX_SWEEP_RUNS}`, 'split it into several sweeps');

  const methods = grid.methods.map((m) => methodName(m, catalogue));
  const baseMethod = base.method === Method.METHOD_UNSPECIFIED ? 'lora' : methodName(base.method, catalogue);
  const used = new Set((methods.length > 0 ? methods : [baseMethod]).flatMap((m) => [...methodFields(m)]));
  for (const field of new Set(Object.values(METHOD_FLAG_FIELDS)))
    if (getAt(base, field) !== undefined && !used.has(field))
      throw invalidArgument(
        'SWEEP.UNUSED_SETTING',
        `the base sets RunSpec.${field}, but no method of the sweep (${(methods.length > 0 ? methods : [baseMethod]).join(', ')}) has that setting`,
        'drop the setting, or add a method that has it to the grid',
      );

  const models: readonly ((p: Record<string, unknown>) => void)[] =
    grid.presets.length > 0
      ? grid.presets.map((preset) => (p) => Object.assign(p, { preset }))
      : grid.baseModels.length > 0
        ? grid.baseModels.map((baseModel) => (p) => Object.assign(p, { baseModel }))
        : grid.models.length > 0
          ? grid.models.map(
              (model) => (p) => Object.assign(p, { model, preset: Preset.PRESET_UNSPECIFIED, baseModel: '' }),
            )
          : [() => {}];

  const specs: RunSpec[] = [];
  for (const setModel of models)
    for (const method of axis(methods))
      for (const order of axis<TaskOrder>(grid.taskOrders))
        for (const variant of axis(grid.instructionVariants))
          for (const fraction of axis(grid.dataFractions))
            for (const seed of axis(grid.seeds)) {
              // A deep copy of the base (encode/decode), then the grid's values over it.
              const p = ProtoRunSpec.decode(ProtoRunSpec.encode(base).finish()) as unknown as Record<string, unknown>;
              setModel(p);
              if (method !== undefined) p.method = Method[`METHOD_${method.toUpperCase()}` as keyof typeof Method];
              if (order !== undefined) p.taskOrder = [...order.tasks];
              if (variant !== undefined) p.instructionVariant = variant;
              if (fraction !== undefined) p.dataFraction = fraction;
              if (seed !== undefined) p.seed = seed;
              const own = methodFields(method ?? baseMethod);
              for (const field of Object.values(METHOD_FLAG_FIELDS)) if (!own.has(field)) deleteAt(p, field);
              specs.push(runSpecFromProto(p as unknown as ProtoRunSpec, catalogue));
            }
  const runIds = specs.map(runId);
  const first = new Map<string, number>();
  runIds.forEach((id, k) => {
    const j = first.get(id);
    if (j !== undefined)
      throw bad(
        `runs ${j + 1} and ${k + 1} of the grid are the same run ${id}`,
        'two values of an axis resolve to the same run (e.g. the order `default` and its tasks spelled out): give it once',
      );
    first.set(id, k);
  });
  return { id: sweepIdOf(methods.length > 0 ? methods : [baseMethod], runIds), specs, runIds };
}

/** `sweep-lora-ewc-6r-<hash>`: the methods (the first three), the run count and a hash of the runs. */
export function sweepIdOf(methods: readonly string[], runIds: readonly string[]): string {
  const hash = sha256Hex(canonicalJson([...runIds])).slice(0, 10);
  const shown = methods.slice(0, 3).join('-') + (methods.length > 3 ? '-etc' : '');
  return `sweep-${shown}-${runIds.length}r-${hash}`;
}
