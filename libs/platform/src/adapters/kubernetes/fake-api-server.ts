/**
 * A loopback Kubernetes API server for tests, speaking just enough of the REST API for
 * KubernetesJobScheduler: batch/v1 Jobs (create, 409 on an existing name, get, list with a label
 * selector and resourceVersion, watch as a chunked stream of JSON events, delete) and core/v1 Pods
 * (list; a pod's log). Watches from a compacted resourceVersion get
 * 410 Gone as an ERROR event, as from a real server. Nothing here runs pods: a test plays the Job
 * controller and the kubelet with `setJobStatus`, `putPod` and `appendPodLog`, and breaks the watch
 * with `dropWatches`, `compact` and `failWatches`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A Kubernetes object as JSON. */
export interface Obj {
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    uid?: string;
  };
  [field: string]: unknown;
}

interface Event {
  readonly rv: number;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: Obj;
}

export interface FakeApiStats {
  /** POSTs of a Job, and how many created one. */
  posts: number;
  created: number;
  lists: number;
  watches: number;
  /** Requests for a pod's log. */
  logReads: number;
  deletes: { name: string; propagationPolicy: string | undefined }[];
  /** Bodies of the POSTed Jobs, as received. */
  bodies: Obj[];
}

export class FakeKubeApi {
  readonly stats: FakeApiStats = { posts: 0, created: 0, lists: 0, watches: 0, logReads: 0, deletes: [], bodies: [] };
  private readonly jobs = new Map<string, Obj>();
  private readonly pods = new Map<string, Obj>();
  /** Each pod's log so far. */
  private readonly logs = new Map<string, string>();
  private readonly events: Event[] = [];
  private readonly open = new Set<{ res: ServerResponse; selector: Selector; from: number }>();
  private rv = 100;
  private compactedTo = 0;
  private watchFailures = 0;
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeKubeApi> {
    const handlers: ((req: IncomingMessage, res: ServerResponse) => void)[] = [];
    const server = createServer((req, res) => handlers[0]?.(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const api = new FakeKubeApi(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    handlers.push((req, res) => api.handle(req, res));
    return api;
  }

  async stop(): Promise<void> {
    for (const w of this.open) w.res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  job(name: string): Obj | undefined {
    return this.jobs.get(name);
  }

  /** Puts a Job in place as if an earlier process had created it (counts no POST). */
  seedJob(job: Obj): void {
    this.store('ADDED', this.jobs, { ...job, metadata: { ...job.metadata, uid: `uid-${job.metadata.name}` } });
  }

  /** The Job controller's part: sets a Job's status (a MODIFIED event). */
  setJobStatus(name: string, status: Record<string, unknown>): void {
    const job = this.jobs.get(name);
    if (job === undefined) throw new Error(`no job ${name}`);
    this.store('MODIFIED', this.jobs, { ...job, status });
  }

  /** The kubelet's part: a pod of Job `jobName` in the state given. */
  putPod(
    jobName: string,
    podName: string,
    status: Record<string, unknown>,
    annotations: Record<string, string> = {},
  ): void {
    this.pods.set(podName, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: podName,
        namespace: this.jobs.get(jobName)?.metadata?.namespace,
        labels: { 'batch.kubernetes.io/job-name': jobName },
        annotations,
        resourceVersion: String(++this.rv),
      },
      status,
    });
  }

  /** The container's part: `text` is appended to a pod's log. */
  appendPodLog(podName: string, text: string): void {
    this.logs.set(podName, (this.logs.get(podName) ?? '') + text);
  }

  /** Forgets the event history: a watch from an older resourceVersion now gets 410 Gone. */
  compact(): void {
    this.compactedTo = this.rv;
  }

  /** Cuts every open watch mid-stream (the socket, not a clean end). */
  dropWatches(): void {
    for (const w of this.open) w.res.destroy();
    this.open.clear();
  }

  /** Sends 410 Gone on every open watch, as a server does when their version is compacted away. */
  expireWatches(): void {
    this.compact();
    for (const w of this.open) {
      w.res.end(`${JSON.stringify({ type: 'ERROR', object: gone() })}\n`);
    }
    this.open.clear();
  }

  /** The next `n` watch requests fail with HTTP 500. */
  failWatches(n: number): void {
    this.watchFailures = n;
  }

  get openWatches(): number {
    return this.open.size;
  }

  private store(type: Event['type'], into: Map<string, Obj>, object: Obj): void {
    const stored = { ...object, metadata: { ...object.metadata, resourceVersion: String(++this.rv) } };
    if (type === 'DELETED') into.delete(stored.metadata.name);
    else into.set(stored.metadata.name, stored);
    const event: Event = { rv: this.rv, type, object: stored };
    this.events.push(event);
    for (const w of this.open) if (w.selector(stored)) w.res.write(`${JSON.stringify({ type, object: stored })}\n`);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const path = url.pathname.split('/').filter(Boolean);
    const selector = parseSelector(url.searchParams.get('labelSelector') ?? '');
    // /apis/batch/v1/namespaces/{ns}/jobs[/{name}], /api/v1/namespaces/{ns}/pods[/{name}/log]
    if (path[0] === 'api' && path[4] === 'pods' && path[6] === 'log' && req.method === 'GET') {
      return this.podLog(path[5], res);
    }
    if (path[0] === 'api' && path[4] === 'pods' && req.method === 'GET') {
      const items = [...this.pods.values()].filter(selector);
      return send(res, 200, {
        apiVersion: 'v1',
        kind: 'PodList',
        metadata: { resourceVersion: String(this.rv) },
        items,
      });
    }
    if (path[0] !== 'apis' || path[1] !== 'batch' || path[5] !== 'jobs')
      return send(res, 404, status(404, 'NotFound', 'no such path'));
    const name = path[6];
    if (req.method === 'POST' && name === undefined) return void this.create(req, res);
    if (req.method === 'DELETE' && name !== undefined) return this.remove(name, url, res);
    if (req.method !== 'GET') return send(res, 405, status(405, 'MethodNotAllowed', req.method ?? ''));
    if (name !== undefined) {
      const job = this.jobs.get(name);
      return job === undefined
        ? send(res, 404, status(404, 'NotFound', `jobs.batch "${name}" not found`))
        : send(res, 200, job);
    }
    if (url.searchParams.get('watch') === 'true') return this.watch(url, selector, res);
    this.stats.lists++;
    const items = [...this.jobs.values()].filter(selector);
    send(res, 200, { apiVersion: 'batch/v1', kind: 'JobList', metadata: { resourceVersion: String(this.rv) }, items });
  }

  private podLog(podName: string, res: ServerResponse): void {
    this.stats.logReads++;
    if (!this.pods.has(podName)) return send(res, 404, status(404, 'NotFound', `pods "${podName}" not found`));
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(this.logs.get(podName) ?? '');
  }

  private async create(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.posts++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Obj;
    this.stats.bodies.push(body);
    const name = body.metadata.name;
    if (this.jobs.has(name)) return send(res, 409, status(409, 'AlreadyExists', `jobs.batch "${name}" already exists`));
    this.stats.created++;
    this.store('ADDED', this.jobs, { ...body, metadata: { ...body.metadata, uid: `uid-${name}` }, status: {} });
    send(res, 201, this.jobs.get(name));
  }

  private remove(name: string, url: URL, res: ServerResponse): void {
    this.stats.deletes.push({ name, propagationPolicy: url.searchParams.get('propagationPolicy') ?? undefined });
    const job = this.jobs.get(name);
    if (job === undefined) return send(res, 404, status(404, 'NotFound', `jobs.batch "${name}" not found`));
    this.store('DELETED', this.jobs, job);
    for (const [podName, pod] of this.pods) {
      if (pod.metadata.labels?.['batch.kubernetes.io/job-name'] === name) this.pods.delete(podName);
    }
    send(res, 200, { ...status(200, '', ''), status: 'Success' });
  }

  private watch(url: URL, selector: Selector, res: ServerResponse): void {
    this.stats.watches++;
    if (this.watchFailures > 0) {
      this.watchFailures--;
      return send(res, 500, status(500, 'InternalError', 'watch failed (as asked)'));
    }
    const from = Number(url.searchParams.get('resourceVersion') ?? '0');
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    if (from < this.compactedTo) {
      res.end(`${JSON.stringify({ type: 'ERROR', object: gone() })}\n`);
      return;
    }
    for (const e of this.events) {
      if (e.rv > from && selector(e.object)) res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
    }
    const entry = { res, selector, from };
    this.open.add(entry);
    res.on('close', () => this.open.delete(entry));
  }
}

type Selector = (object: Obj) => boolean;

/** Equality (`k=v`, `k==v`, `k!=v`) and existence (`k`, `!k`) requirements, comma-separated. */
function parseSelector(text: string): Selector {
  const rules = text
    .split(',')
    .filter(Boolean)
    .map((rule): Selector => {
      const m = /^(!?)([^=!]+?)(?:(!=|==|=)(.*))?$/.exec(rule.trim());
      if (m === null) throw new Error(`bad selector ${rule}`);
      const [, not, key, op, value] = m;
      return (o) => {
        const v = o.metadata?.labels?.[key];
        if (op === undefined) return not === '' ? v !== undefined : v === undefined;
        return op === '!=' ? v !== value : v === value;
      };
    });
  return (o) => rules.every((rule) => rule(o));
}

const status = (code: number, reason: string, message: string) => ({
  apiVersion: 'v1',
  kind: 'Status',
  metadata: {},
  status: 'Failure',
  message,
  reason,
  code,
});

const gone = () => status(410, 'Expired', 'too old resource version');

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
