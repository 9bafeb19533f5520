/**
 * Rendering the chart (tools/helm-render) and checking what it renders: YAML documents parsed,
 * every object validated with kubernetes-models by its apiVersion and kind (CRDs skipped), pod
 * specs found, label selectors evaluated.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** The repository root and the chart. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CHART = join(ROOT, 'helm', 'coin');

export interface RenderOptions {
  /** Values files over the chart's values.yaml, in order. */
  readonly values?: readonly string[];
  /** `path=value` overrides (`{a,b}` is a list). */
  readonly set?: readonly string[];
  readonly release?: string;
  readonly namespace?: string;
  /** Missing map keys are errors (default true here). */
  readonly strict?: boolean;
  /** NOTES.txt instead of the manifests. */
  readonly notes?: boolean;
}

/**
 * Runs the test-only renderer (tools/helm-render/render.mjs builds it from main.go with Debian's Go
 * and sprig when needed, and says which packages to install when Go is missing).
 */
export function renderChart(options: RenderOptions = {}): { ok: boolean; stdout: string; stderr: string } {
  const args = ['--chart', CHART];
  for (const f of options.values ?? []) args.push('-f', f);
  for (const s of options.set ?? []) args.push('--set', s);
  if (options.release) args.push('--release', options.release);
  if (options.namespace) args.push('--namespace', options.namespace);
  if (options.strict ?? true) args.push('--strict');
  if (options.notes) args.push('--notes');
  const r = spawnSync(process.execPath, [join(ROOT, 'tools', 'helm-render', 'render.mjs'), ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr };
}

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const EXTERNAL = join(FIXTURES, 'external.yaml');
export const DEV = join(FIXTURES, 'dev.yaml');

export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [key: string]: unknown;
}

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly args?: string[];
  readonly command?: string[];
  readonly env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  readonly envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readonly ports?: { name?: string; containerPort: number }[];
  readonly securityContext?: Record<string, unknown>;
  readonly volumeMounts?: { name: string; mountPath: string }[];
  readonly startupProbe?: { grpc?: { port: number } };
  readonly readinessProbe?: { grpc?: { port: number } };
  readonly livenessProbe?: { grpc?: { port: number } };
}

export interface PodSpec {
  readonly containers: Container[];
  readonly initContainers?: Container[];
  readonly securityContext?: Record<string, unknown>;
  readonly volumes?: Record<string, unknown>[];
  readonly serviceAccountName?: string;
  readonly automountServiceAccountToken?: boolean;
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly hostIPC?: boolean;
}

/** Parses a multi-document YAML into objects (empty documents dropped). */
export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`rendered YAML does not parse: ${d.errors[0].message}`);
      return d.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

/** Renders the chart (strict: a key values.yaml lacks is an error) and parses it; throws with the renderer's message. */
export function render(options: RenderOptions = {}): K8sObject[] {
  const r = renderChart(options);
  if (!r.ok) throw new Error(`the chart did not render:\n${r.stderr}`);
  return parseObjects(r.stdout);
}

/** The renderer's error message for values that must be refused. */
export function renderError(options: RenderOptions): string {
  const r = renderChart(options);
  if (r.ok) throw new Error('the chart rendered, but these values must be refused');
  return r.stderr;
}

/** API groups of custom resources kubernetes-models has no classes for (Strimzi's). */
export const CRD_GROUPS = new Set(['kafka.strimzi.io']);

/** kubernetes-models' module for an apiVersion: `v1` is the core group, else `group/version`. */
async function modelModule(apiVersion: string): Promise<Record<string, unknown>> {
  return (await import(`kubernetes-models/${apiVersion}`)) as Record<string, unknown>;
}

/**
 * Validates an object with kubernetes-models' class for its kind: undefined when valid, `skipped`
 * for a custom resource, else the problem.
 */
export async function validateObject(o: K8sObject): Promise<string | undefined> {
  if (CRD_GROUPS.has(o.apiVersion.split('/')[0])) return 'skipped';
  let Model: unknown;
  try {
    Model = (await modelModule(o.apiVersion))[o.kind];
  } catch {
    return `no kubernetes-models module for apiVersion ${o.apiVersion}`;
  }
  if (typeof Model !== 'function') return `kubernetes-models has no ${o.apiVersion} ${o.kind}`;
  try {
    (new (Model as new (data: unknown) => { validate(): void })(o) as { validate(): void }).validate();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Every pod spec the objects hold (Deployments' templates, Pods, Jobs' templates), with its owner. */
export function podSpecs(
  objects: readonly K8sObject[],
): { owner: string; labels: Record<string, string>; spec: PodSpec }[] {
  const found: { owner: string; labels: Record<string, string>; spec: PodSpec }[] = [];
  for (const o of objects) {
    const owner = `${o.kind}/${o.metadata.name}`;
    if (o.kind === 'Pod') found.push({ owner, labels: o.metadata.labels ?? {}, spec: o.spec as PodSpec });
    if (o.kind === 'Deployment' || o.kind === 'Job' || o.kind === 'StatefulSet') {
      const template = (o.spec as { template: { metadata?: { labels?: Record<string, string> }; spec: PodSpec } })
        .template;
      found.push({ owner, labels: template.metadata?.labels ?? {}, spec: template.spec });
    }
  }
  return found;
}

export interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Whether a label selector selects these labels (an empty selector selects everything). */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const ok =
      e.operator === 'In'
        ? has && (e.values ?? []).includes(labels[e.key])
        : e.operator === 'NotIn'
          ? !has || !(e.values ?? []).includes(labels[e.key])
          : e.operator === 'Exists'
            ? has
            : !has;
    if (!ok) return false;
  }
  return true;
}

export const byKind = (objects: readonly K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
export const named = (objects: readonly K8sObject[], kind: string, name: string): K8sObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} rendered`);
  return found;
};
