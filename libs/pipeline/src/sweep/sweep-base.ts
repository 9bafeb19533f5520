/**
 * The base of a sweep as `coin sweep`'s run flags give it (docs/protocol.md#sweeps), in
 * proto/coin/v1 RunSpec form: what every run shares. Unlike one run's spec it may carry the flags of
 * several methods (`--lora-rank 8 --ewc-lambda 100` over methods lora and ewc): each run keeps its
 * own method's. Training, world and method settings the user gave are stated explicitly, so a run
 * of another method or preset than the first still gets them (runSpecToProto states only what
 * differs from one method's and one preset's defaults).
 */
import { invalidArgument } from '@coin/core';
import type { RunSpec as ProtoRunSpec } from '@coin/contracts';
import { METHODS } from '@coin/training';
import { METHOD_FLAG_FIELDS, runSpecToProto } from '../bus/spec-wire.js';
import { METHOD_CATALOGUE } from '../spec/method-catalogue.js';
import { type MethodCatalogue, resolveRunSpec, type RunSpecInput } from '../spec/run-spec.js';

type Json = Record<string, unknown>;

function setAt(target: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = target;
  for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Json;
  at[keys.at(-1)!] = value;
}

function deleteAt(target: Json, path: string): void {
  const keys = path.split('.');
  let at: Json | undefined = target;
  for (const k of keys.slice(0, -1)) at = at?.[k] as Json | undefined;
  if (at) delete at[keys.at(-1)!];
}

const knows = (method: string, flag: string) => METHODS.get(method).flags.some((f) => f.name === flag);

/** The base proto for the sweep's methods (`methods`: the grid's, or the base's one method). */
export function sweepBaseToProto(
  input: RunSpecInput,
  methods: readonly string[],
  catalogue: MethodCatalogue = METHOD_CATALOGUE,
): ProtoRunSpec {
  const raw = input.methodFlags ?? {};
  for (const m of methods)
    if (!catalogue.names.includes(m))
      throw invalidArgument('RUN.BAD_FLAG', `method ${JSON.stringify(m)} is not one of ${catalogue.names.join(', ')}`);
  for (const flag of Object.keys(raw))
    if (!methods.some((m) => knows(m, flag)))
      throw invalidArgument(
        'SWEEP.UNUSED_SETTING',
        `--${flag}: no method of the sweep (${methods.join(', ')}) has this setting`,
        'drop the flag, or add a method that has it to the grid',
      );
  // One RunSpec field may hold the flags of two methods (lora-alpha and moe-alpha: lora_alpha); a
  // sweep has one value per field, so both flags must be given (and agree) or neither.
  for (const flag of Object.keys(raw))
    for (const m of methods) {
      const twin = METHODS.get(m).flags.find(
        (f) => f.name !== flag && METHOD_FLAG_FIELDS[f.name] === METHOD_FLAG_FIELDS[flag],
      );
      if (twin && !knows(m, flag) && raw[twin.name] === undefined)
        throw invalidArgument(
          'SWEEP.CONFLICTING_SETTINGS',
          `--${flag} travels in RunSpec.${METHOD_FLAG_FIELDS[flag]}, which ${m} reads as --${twin.name}`,
          `give --${twin.name} the same value too, or sweep ${m} separately`,
        );
    }
  const own = (m: string) => Object.fromEntries(Object.entries(raw).filter(([flag]) => knows(m, flag)));
  const first = resolveRunSpec({ ...input, method: methods[0], methodFlags: own(methods[0]) }, catalogue);
  const proto = runSpecToProto(first, catalogue) as unknown as Json;
  for (const field of Object.values(METHOD_FLAG_FIELDS)) deleteAt(proto, field);
  for (const k of ['learningRate', 'epochs', 'batchSize']) deleteAt(proto, `hyperParameters.${k}`);
  delete proto.worldSize;

  const setBy = new Map<string, string>();
  for (const m of methods) {
    const spec = resolveRunSpec({ ...input, method: m, methodFlags: own(m) }, catalogue);
    for (const f of METHODS.get(m).flags) {
      if (raw[f.name] === undefined) continue;
      const field = METHOD_FLAG_FIELDS[f.name];
      const value = spec.hyper[f.key];
      const earlier = setBy.get(field);
      if (earlier !== undefined && earlier !== JSON.stringify(value))
        throw invalidArgument(
          'SWEEP.CONFLICTING_SETTINGS',
          `--${f.name} ${String(value)} and another method's flag set RunSpec.${field} to ${earlier}`,
          'a sweep has one value per setting: give the methods the same value, or sweep them separately',
        );
      setBy.set(field, JSON.stringify(value));
      setAt(proto, field, value);
    }
  }
  const t = input.training ?? {};
  if (t.lr !== undefined) setAt(proto, 'hyperParameters.learningRate', first.training.lr);
  if (t.epochs !== undefined) setAt(proto, 'hyperParameters.epochs', first.training.epochs);
  if (t.batchSize !== undefined) setAt(proto, 'hyperParameters.batchSize', first.training.batchSize);
  const w = input.world ?? {};
  if (w.train !== undefined) setAt(proto, 'worldSize.trainPerTask', first.world.train);
  if (w.test !== undefined) setAt(proto, 'worldSize.testPerTask', first.world.test);
  if (w.pretrain !== undefined) setAt(proto, 'worldSize.pretrainPerTask', first.world.pretrain);
  return proto as unknown as ProtoRunSpec;
}
