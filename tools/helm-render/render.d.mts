/** The repository root. */
export const ROOT: string;
/** helm/coin. */
export const CHART: string;
/** The renderer's path, compiled first when missing or older than its source. Throws with the fix. */
export function buildRenderer(): string;
export interface RenderOptions {
  readonly chart?: string;
  readonly values?: readonly string[];
  readonly set?: readonly string[];
  readonly release?: string;
  readonly namespace?: string;
  readonly service?: string;
  readonly strict?: boolean;
  readonly notes?: boolean;
}
export function renderChart(options?: RenderOptions): { ok: boolean; stdout: string; stderr: string };
