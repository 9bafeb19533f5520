/**
 * A run as the store holds it once some of its units are done, without computing them: the
 * resolved micro spec in runs/{run}/spec.json and chosen units committed with the metas the unit
 * bodies record (manifest last, as always). For the getters' tests.
 */
import { METHOD_CATALOGUE, planFor, resolveRunSpec, type RunPlan, runId, type RunSpec } from '@coin/pipeline';
import { commitUnit, type ObjectStore } from '@coin/platform';

export interface PlannedRunFixture {
  readonly id: string;
  readonly spec: RunSpec;
  readonly plan: RunPlan;
}

export async function plannedRunFixture(store: ObjectStore): Promise<PlannedRunFixture> {
  const spec = resolveRunSpec({ preset: 'micro', method: 'lora', order: 'ImageNet,VQAv2' }, METHOD_CATALOGUE);
  const id = runId(spec);
  await store.put(`runs/${id}/spec.json`, `${JSON.stringify(spec, null, 2)}\n`);
  return { id, spec, plan: await planFor(spec) };
}

/** Commits a unit with one small file and `meta`. */
export async function commitFixtureUnit(
  store: ObjectStore,
  unit: { readonly prefix: string; readonly key: string; readonly kind: string },
  meta: Record<string, unknown>,
): Promise<void> {
  await commitUnit(store, unit.prefix, { key: unit.key, kind: unit.kind, meta }, [
    { path: 'files/x.json', data: '{}' },
  ]);
}
