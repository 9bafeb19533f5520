import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ValidationReport, ValidationReportBuilder } from '../prep/validation-report.js';
import type { OpenedSource, SourceItem, SourceSplit } from './source.js';

/** Helpers for the reader tests (not exported from the package). */
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export async function readSplit(
  source: OpenedSource,
  split: SourceSplit,
): Promise<{ items: SourceItem[]; report: ValidationReport }> {
  const report = new ValidationReportBuilder(source.dataset);
  const items: SourceItem[] = [];
  for await (const item of source.items(split, report)) items.push(item);
  return { items, report: report.toReport() };
}

/** A scratch copy of a fixture folder, to break it in a test without touching the committed one. */
export async function withFixtureCopy<T>(name: string, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `coin-fixture-${name.replace(/\W/g, '')}-`));
  try {
    await cp(join(FIXTURES, name), dir, { recursive: true });
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
