import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { sortedCounts } from './manifest.js';

/**
 * What a prep run kept and dropped, for a researcher to check before training: counts per split,
 * every dropped record with the reason, and every missing image. Written as JSON for tools and as
 * a short text summary for people.
 */
export const VALIDATION_REPORT_FILE = 'validation_report.json';
export const VALIDATION_SUMMARY_FILE = 'validation_report.txt';

export interface DroppedRecord {
  /** e.g. 'GQA/train'. */
  readonly split: string;
  /** The source id (question id, pid, file name). */
  readonly id: string | number;
  readonly reason: string;
  /** Source file (and position when known). */
  readonly source?: string;
}

export interface MissingImage {
  readonly split: string;
  readonly id: string | number;
  /** The path the record refers to (CoIN-relative) and where it was looked for. */
  readonly image: string;
  readonly lookedFor: string;
}

/** An image that exists but does not decode whole (truncated, garbage, unsupported format). */
export interface CorruptImage {
  readonly split: string;
  readonly id: string | number;
  /** The path the record refers to (CoIN-relative). */
  readonly image: string;
  /** The file on this machine. */
  readonly path: string;
  /** What the decoder said. */
  readonly reason: string;
}

export interface ValidationReport {
  readonly kind: string;
  /** Records written, per split ('ScienceQA/train': 12726). */
  readonly counts: Record<string, number>;
  /** Records read from the source, per split, before dropping and volume selection. */
  readonly sourceCounts: Record<string, number>;
  readonly dropped: readonly DroppedRecord[];
  readonly missingImages: readonly MissingImage[];
  /** Records dropped because their image is corrupt. */
  readonly corruptImages: readonly CorruptImage[];
  readonly notes: readonly string[];
}

/** Collects a report while converting; `toReport()` freezes it with sorted keys. */
export class ValidationReportBuilder {
  readonly counts: Record<string, number> = {};
  readonly sourceCounts: Record<string, number> = {};
  readonly dropped: DroppedRecord[] = [];
  readonly missingImages: MissingImage[] = [];
  readonly corruptImages: CorruptImage[] = [];
  readonly notes: string[] = [];

  constructor(readonly kind: string) {}

  count(split: string, n = 1): void {
    this.counts[split] = (this.counts[split] ?? 0) + n;
  }

  countSource(split: string, n = 1): void {
    this.sourceCounts[split] = (this.sourceCounts[split] ?? 0) + n;
  }

  drop(record: DroppedRecord): void {
    this.dropped.push(record);
  }

  missingImage(image: MissingImage): void {
    this.missingImages.push(image);
  }

  corruptImage(image: CorruptImage): void {
    this.corruptImages.push(image);
  }

  note(text: string): void {
    this.notes.push(text);
  }

  toReport(): ValidationReport {
    return {
      kind: this.kind,
      counts: sortedCounts(this.counts),
      sourceCounts: sortedCounts(this.sourceCounts),
      dropped: this.dropped,
      missingImages: this.missingImages,
      corruptImages: this.corruptImages,
      notes: this.notes,
    };
  }
}

/** The human-readable summary: counts, dropped records grouped by reason, missing images, corrupt images. */
function summarizeValidationReport(report: ValidationReport, maxListed = 20): string {
  const lines: string[] = [`CoIN prep validation report: ${report.kind}`, '', 'records written (read from source):'];
  for (const split of Object.keys({ ...report.sourceCounts, ...report.counts }).sort()) {
    lines.push(`  ${split}: ${report.counts[split] ?? 0} (${report.sourceCounts[split] ?? 0})`);
  }
  lines.push('', `dropped records: ${report.dropped.length}`);
  const byReason = new Map<string, DroppedRecord[]>();
  for (const d of report.dropped) byReason.set(d.reason, [...(byReason.get(d.reason) ?? []), d]);
  for (const [reason, records] of [...byReason].sort((a, b) => b[1].length - a[1].length)) {
    lines.push(`  ${records.length} × ${reason}`);
    for (const r of records.slice(0, maxListed))
      lines.push(`      ${r.split} ${JSON.stringify(r.id)}${r.source ? ` (${r.source})` : ''}`);
    if (records.length > maxListed)
      lines.push(`      ... ${records.length - maxListed} more in ${VALIDATION_REPORT_FILE}`);
  }
  lines.push('', `missing images: ${report.missingImages.length}`);
  for (const m of report.missingImages.slice(0, maxListed))
    lines.push(`  ${m.split} ${JSON.stringify(m.id)}: ${m.lookedFor}`);
  if (report.missingImages.length > maxListed)
    lines.push(`  ... ${report.missingImages.length - maxListed} more in ${VALIDATION_REPORT_FILE}`);
  lines.push('', `corrupt images: ${report.corruptImages.length}`);
  for (const c of report.corruptImages.slice(0, maxListed))
    lines.push(`  ${c.split} ${JSON.stringify(c.id)}: ${c.path} (${c.reason})`);
  if (report.corruptImages.length > maxListed)
    lines.push(`  ... ${report.corruptImages.length - maxListed} more in ${VALIDATION_REPORT_FILE}`);
  if (report.notes.length > 0) lines.push('', 'notes:', ...report.notes.map((n) => `  ${n}`));
  return `${lines.join('\n')}\n`;
}

/** Writes validation_report.json and validation_report.txt into `dir` (each atomically). */
export async function writeValidationReport(dir: string, report: ValidationReport): Promise<string> {
  const summary = summarizeValidationReport(report);
  await writeFileAtomic(join(dir, VALIDATION_REPORT_FILE), `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(join(dir, VALIDATION_SUMMARY_FILE), summary);
  return summary;
}
