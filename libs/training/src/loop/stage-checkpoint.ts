import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CoinError, pathExists, writeFileAtomic } from '@coin/core';
import type { InstructionVariant } from '@coin/data';
import {
  ADAPTER_CONFIG_FILE,
  BASE_CONFIG_FILE,
  loadAdapterCheckpoint,
  loadBaseCheckpoint,
  type ModelConfig,
  saveAdapterCheckpoint,
  saveBaseCheckpoint,
} from '@coin/model';
import type { TensorData } from '@coin/onnx';
import { readSafetensorsFile, writeSafetensorsFile } from '@coin/runtime';
import type { CheckpointWeights, Fidelity, MethodHyper, PresetName, TrainingHyper } from '../methods/method.js';
import type { TrainSnapshot } from './engine.js';

/** What a stage checkpoint records about the run that wrote it (`coin_stage.json`). */
export interface StageMeta {
  readonly format: 'coin-stage/1';
  readonly method: string;
  readonly fidelity: Fidelity;
  readonly preset: PresetName;
  readonly seed: number;
  /** The base model's key: a checkpoint only loads against the base it was trained from. */
  readonly base: string;
  readonly stage: number;
  readonly name: string;
  readonly tasks: readonly string[];
  /** Instruction variant of the training files (original, diverse, 10type). */
  readonly variant: InstructionVariant;
  readonly evaluation: 'merged' | 'unmerged';
  readonly checkpoint: 'adapter' | 'base';
  readonly hyper: MethodHyper;
  readonly training: TrainingHyper;
  readonly steps: number;
}

export const STAGE_META_FILE = 'coin_stage.json';
export const METHOD_STATE_FILE = 'method_state.safetensors';
/** What the stage trained, where the checkpoint holds something else (a method's own layout). */
export const CARRY_FILE = 'carry.safetensors';
const RESUME_FILE = 'resume.safetensors';

/** `<out>/<k>-<name>`: one folder per stage, in run order. */
export function stageDir(out: string, stage: number, name: string): string {
  return join(out, `${stage}-${name}`);
}

/** Where a stage keeps its resumable snapshot while it runs (removed when the stage completes). */
export function resumeDir(out: string, stage: number, name: string): string {
  return join(out, '.resume', `${stage}-${name}`);
}

/**
 * Writes a stage's checkpoint: the weights (PEFT layout for adapters, a base checkpoint for full
 * tuning), the method's state, and the metadata; the file that marks the folder complete
 * (adapter_config.json or coin_config.json) goes last, as saveAdapterCheckpoint orders it.
 */
export async function writeStageCheckpoint(
  dir: string,
  meta: StageMeta,
  weights: CheckpointWeights,
  config: ModelConfig,
  state: ReadonlyMap<string, TensorData> | undefined,
  carry?: ReadonlyMap<string, TensorData>,
): Promise<void> {
  if (state) await writeSafetensorsFile(join(dir, METHOD_STATE_FILE), Object.fromEntries(state));
  if (carry) await writeSafetensorsFile(join(dir, CARRY_FILE), Object.fromEntries(carry));
  await writeFileAtomic(join(dir, STAGE_META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
  if (weights.kind === 'base') {
    await saveBaseCheckpoint(dir, config, weights.weights);
    return;
  }
  const a = weights.adapter;
  if (a.kind === 'full') throw new Error('an adapter checkpoint needs a lora or moelora adapter');
  const spec = {
    kind: a.kind,
    rank: a.rank,
    alpha: a.alpha,
    dropout: a.dropout,
    targets: a.targets,
    experts: a.experts,
  };
  await saveAdapterCheckpoint(dir, { spec, weights: new Map(weights.weights) }, { baseModel: meta.base });
}

/** A complete stage folder's metadata, or undefined when the stage has not finished. */
export async function readStageMeta(dir: string): Promise<StageMeta | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, STAGE_META_FILE), 'utf8');
  } catch {
    return undefined;
  }
  let meta: StageMeta;
  try {
    meta = JSON.parse(text) as StageMeta;
  } catch {
    throw new CoinError('TRAIN.CORRUPT_STAGE', 'DATA_LOSS', `${join(dir, STAGE_META_FILE)} is damaged`, {
      hint: 'remove that stage folder; `coin train --resume` trains the stage again',
    });
  }
  // The checkpoint's config is written last: without it the stage did not finish.
  const marker = meta.checkpoint === 'base' ? BASE_CONFIG_FILE : ADAPTER_CONFIG_FILE;
  if (!(await pathExists(join(dir, marker)))) return undefined;
  return meta;
}

/**
 * Refuses a checkpoint trained from another base or at another preset: its weights would load
 * (the shapes may even match) and silently mean something else.
 */
export function checkStageMatches(
  dir: string,
  meta: Pick<StageMeta, 'base' | 'preset'>,
  want: Pick<StageMeta, 'base' | 'preset'>,
): void {
  if (meta.preset !== want.preset)
    throw new CoinError(
      'TRAIN.WRONG_PRESET',
      'INVALID_ARGUMENT',
      `checkpoint ${dir} was trained at preset ${meta.preset}, not ${want.preset}`,
      { hint: `use --preset ${meta.preset}, or another --out` },
    );
  if (meta.base !== want.base)
    throw new CoinError(
      'TRAIN.WRONG_BASE',
      'INVALID_ARGUMENT',
      `checkpoint ${dir} was trained from base ${meta.base.slice(0, 12)}…, not ${want.base.slice(0, 12)}…`,
      { hint: 'load it against the base it was trained from (--base), or train again into another --out' },
    );
}

/** The weights a finished stage carries (its checkpoint's tensors) and the method's state. */
export async function loadStageCheckpoint(
  dir: string,
  meta: StageMeta,
): Promise<{ weights: Map<string, TensorData>; state: Map<string, TensorData> | undefined }> {
  const weights =
    meta.checkpoint === 'base'
      ? (await loadBaseCheckpoint(dir)).weights
      : new Map([...(await loadAdapterCheckpoint(dir)).weights] as Array<[string, TensorData]>);
  return { weights, state: await optionalTensors(join(dir, METHOD_STATE_FILE)) };
}

/**
 * What a finished stage hands the next one: `carry.safetensors` where the method wrote a layout of
 * its own, else the checkpoint's weights (a base checkpoint's minus the frozen vision tower).
 */
export async function loadStageCarry(
  dir: string,
  meta: StageMeta,
): Promise<{ carried: Map<string, TensorData>; state: Map<string, TensorData> | undefined }> {
  const state = await optionalTensors(join(dir, METHOD_STATE_FILE));
  const carry = await optionalTensors(join(dir, CARRY_FILE));
  if (carry) return { carried: carry, state };
  const { weights } = await loadStageCheckpoint(dir, meta);
  if (meta.checkpoint === 'base') for (const n of [...weights.keys()]) if (n.startsWith('vision.')) weights.delete(n);
  return { carried: weights, state };
}

async function optionalTensors(path: string): Promise<Map<string, TensorData> | undefined> {
  try {
    return new Map(Object.entries((await readSafetensorsFile(path)).tensors));
  } catch (e) {
    if (e instanceof CoinError && e.code === 'SAFETENSORS.NOT_FOUND') return undefined;
    throw e;
  }
}

/** Who wrote a resumable snapshot: a snapshot of another run must not continue this one. */
export interface ResumeOwner {
  readonly base: string;
  readonly preset: PresetName;
  readonly method: string;
  readonly seed: number;
}

/**
 * The stage's optimizer state after `s.step` steps. The data order needs no state of its own: it
 * is rebuilt from the stage seed and skipped to `step`, as are the per-step dropout seeds.
 */
export async function saveResume(dir: string, s: TrainSnapshot, owner: ResumeOwner): Promise<void> {
  const flat = (data: Float32Array) => ({ dtype: 'float32' as const, dims: [data.length], data });
  const tensors = { params: flat(s.params), m: flat(s.m), v: flat(s.v) };
  await writeSafetensorsFile(join(dir, RESUME_FILE), tensors, { step: String(s.step), owner: JSON.stringify(owner) });
}

export async function loadResume(dir: string, owner: ResumeOwner): Promise<TrainSnapshot | undefined> {
  try {
    const f = await readSafetensorsFile(join(dir, RESUME_FILE));
    const theirs = JSON.parse(f.metadata.owner ?? '{}') as ResumeOwner;
    checkStageMatches(dir, theirs, owner);
    if (theirs.method !== owner.method || theirs.seed !== owner.seed)
      throw new CoinError(
        'TRAIN.RESUME_MISMATCH',
        'INVALID_ARGUMENT',
        `the interrupted stage in ${dir} ran ${theirs.method} with seed ${theirs.seed}, not ${owner.method} with seed ${owner.seed}`,
        { hint: 'resume with the flags of the interrupted run, or train into another --out' },
      );
    const get = (n: string) => f.tensors[n].data as Float32Array;
    return { params: get('params'), m: get('m'), v: get('v'), step: Number(f.metadata.step) };
  } catch (e) {
    if (e instanceof CoinError && e.code === 'SAFETENSORS.NOT_FOUND') return undefined;
    throw e;
  }
}

export async function clearResume(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
