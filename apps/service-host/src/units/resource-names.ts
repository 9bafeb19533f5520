/**
 * The AIP-122 resource names of the gRPC API (proto/coin/v1/run.proto) parsed into their parts:
 * datasets/{dataset}, runs/{run}, runs/{run}/stages/{j}, runs/{run}/stages/{j}/evals/{task} and
 * runs/{run}/stages/{j}/judgements/{task} (j = 0: the base model's zero-shot row).
 */
import { invalidArgument } from '@coin/core';

const SEGMENT = '[A-Za-z0-9][A-Za-z0-9._-]*';
const PATTERNS = {
  dataset: new RegExp(`^datasets/(${SEGMENT})$`),
  run: new RegExp(`^runs/(${SEGMENT})$`),
  stage: new RegExp(`^runs/(${SEGMENT})/stages/(\\d{1,4})$`),
  eval: new RegExp(`^runs/(${SEGMENT})/stages/(\\d{1,4})/evals/(${SEGMENT})$`),
  judge: new RegExp(`^runs/(${SEGMENT})/stages/(\\d{1,4})/judgements/(${SEGMENT})$`),
} as const;

const SHAPES: Readonly<Record<keyof typeof PATTERNS, string>> = {
  dataset: 'datasets/{dataset}',
  run: 'runs/{run}',
  stage: 'runs/{run}/stages/{stage}',
  eval: 'runs/{run}/stages/{stage}/evals/{task}',
  judge: 'runs/{run}/stages/{stage}/judgements/{task}',
};

function match(kind: keyof typeof PATTERNS, name: string): RegExpExecArray {
  const m = PATTERNS[kind].exec(name);
  if (!m)
    throw invalidArgument('NAME.INVALID', `${JSON.stringify(name)} is not a ${kind} name`, `expected ${SHAPES[kind]}`, {
      name,
      expected: SHAPES[kind],
    });
  return m;
}

export function parseDatasetName(name: string): { readonly dataset: string } {
  return { dataset: match('dataset', name)[1] };
}

export function parseRunName(name: string): { readonly run: string } {
  return { run: match('run', name)[1] };
}

export function parseStageName(name: string): { readonly run: string; readonly stage: number } {
  const m = match('stage', name);
  return { run: m[1], stage: Number(m[2]) };
}

export interface CellName {
  readonly run: string;
  readonly stage: number;
  readonly task: string;
}

export function parseEvalCellName(name: string): CellName {
  const m = match('eval', name);
  return { run: m[1], stage: Number(m[2]), task: m[3] };
}

export function parseJudgeCellName(name: string): CellName {
  const m = match('judge', name);
  return { run: m[1], stage: Number(m[2]), task: m[3] };
}

export const runName = (run: string) => `runs/${run}`;
export const stageName = (run: string, stage: number) => `runs/${run}/stages/${stage}`;
export const evalCellName = (run: string, stage: number, task: string) => `runs/${run}/stages/${stage}/evals/${task}`;
export const judgeCellName = (run: string, stage: number, task: string) =>
  `runs/${run}/stages/${stage}/judgements/${task}`;
