import type { SynthItem } from './tasks/types.js';

/**
 * The official annotation files CoIN's scorers read (docs/protocol.md#scorer-scienceqa, docs/protocol.md#scorer-textvqa, docs/protocol.md#scorer-gqa), at the paths
 * where CoIN keeps them inside the image folder (`cl_dataset`, docs/file-formats.md#folder-layout).
 */
export const OFFICIAL_FILES = {
  scienceqaProblems: 'ScienceQA/problems.json',
  scienceqaSplits: 'ScienceQA/pid_splits.json',
  textvqaVal: 'TextVQA/TextVQA_0.5.1_val.json',
  gqaTestdev: 'GQA/testdev_balanced_questions.json',
} as const;

/** problems.json (object keyed by string pid) and pid_splits.json ({train, val, test, ...}). */
export function scienceqaFiles(
  train: readonly SynthItem[],
  test: readonly SynthItem[],
): { problems: Record<string, unknown>; splits: Record<string, string[]> } {
  const problems: Record<string, unknown> = {};
  for (const item of [...train, ...test]) problems[String(item.id)] = item.official;
  const trainIds = train.map((i) => String(i.id));
  const testIds = test.map((i) => String(i.id));
  return {
    problems,
    splits: { train: trainIds, val: [], test: testIds, trainval: trainIds, minival: [], minitest: testIds },
  };
}

/** TextVQA_0.5.1_val.json: the val questions with their 10 human answers. */
export function textvqaValFile(test: readonly SynthItem[]): Record<string, unknown> {
  return { dataset_type: 'val', dataset_name: 'textvqa', dataset_version: '0.5.1', data: test.map((i) => i.official) };
}

/** testdev_balanced_questions.json: object keyed by question id. */
export function gqaTestdevFile(test: readonly SynthItem[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of test) out[String(item.id)] = item.official;
  return out;
}
