/**
 * helm/coin rendered by tools/helm-render (Go text/template + sprig, Helm's engine) with an external
 * Kafka/S3/judge and with the development Kafka (Strimzi) and MinIO: every object valid for
 * kubernetes-models, RBAC exactly the scheduler's, `restricted` pods, gRPC probes, NetworkPolicies
 * that allow only what each pod needs, the orchestrator's config accepted by the product's own
 * configuration, and the refusals of incomplete values.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_TOPICS } from '@coin/contracts';
import { resolveConfig } from '@coin/platform';
import {
  byKind,
  type Container,
  DEV,
  EXTERNAL,
  type K8sObject,
  type LabelSelector,
  named,
  podSpecs,
  render,
  renderChart,
  renderError,
  selects,
  validateObject,
} from './manifests.js';

const SERVICES: Record<string, number> = {
  orchestrator: 50051,
  'data-prep': 50052,
  trainer: 50053,
  evaluator: 50054,
  judge: 50055,
};
const external = render({ values: [EXTERNAL], release: 'bench', namespace: 'ml' });
const dev = render({ values: [DEV], release: 'coin', namespace: 'coin' });

describe('helm/coin renders', () => {
  for (const [name, objects] of [
    ['external Kafka, S3 and judge', external],
    ['in-cluster Kafka (Strimzi) and MinIO', dev],
  ] as const) {
    it(`with ${name}: every object validates with kubernetes-models (Strimzi CRs skipped)`, async () => {
      const problems: string[] = [];
      const skipped: string[] = [];
      for (const o of objects) {
        const problem = await validateObject(o);
        if (problem === 'skipped') skipped.push(`${o.kind}/${o.metadata.name}`);
        else if (problem) problems.push(`${o.kind}/${o.metadata.name}: ${problem}`);
      }
      assert.deepEqual(problems, []);
      // Strimzi's Kafka, KafkaNodePool and KafkaTopic have no kubernetes-models classes: checked below by hand.
      assert.ok(
        skipped.every((s) => /^Kafka(NodePool|Topic)?\//.test(s)),
        skipped.join(', '),
      );
      const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
      assert.equal(new Set(names).size, names.length, 'two objects share a kind and name');
    });
  }

  it('a Deployment and a Service per service: gRPC port, native gRPC probes, the app chosen by APP', () => {
    for (const [app, port] of Object.entries(SERVICES)) {
      const deployment = named(external, 'Deployment', `bench-coin-${app}`);
      const service = named(external, 'Service', `bench-coin-${app}`);
      const [{ spec, labels }] = podSpecs([deployment]);
      const [c] = spec.containers;
      assert.equal(c.image, 'coin:0.1.0');
      assert.deepEqual(c.args?.slice(0, 4), ['--port', String(port), '--host', '0.0.0.0']);
      assert.equal(c.env?.find((e) => e.name === 'APP')?.value, app);
      assert.deepEqual(c.ports, [{ name: 'grpc', containerPort: port, protocol: 'TCP' }]);
      for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) assert.deepEqual(probe?.grpc, { port });
      const svc = service.spec as { selector: Record<string, string>; ports: { port: number; targetPort: string }[] };
      assert.ok(selects({ matchLabels: svc.selector }, labels), `${app}: the Service does not select its pods`);
      assert.deepEqual(
        svc.ports.map((p) => [p.port, p.targetPort]),
        [[port, 'grpc']],
      );
      assert.equal(labels['app.kubernetes.io/component'], app);
      assert.equal(labels['app.kubernetes.io/instance'], 'bench');
    }
    const orchestrator = named(external, 'Deployment', 'bench-coin-orchestrator').spec as {
      replicas: number;
      strategy: { type: string };
    };
    assert.equal(orchestrator.replicas, 1);
    assert.equal(orchestrator.strategy.type, 'Recreate');
  });

  it('RBAC: one Role, exactly jobs create/get/list/watch/delete and pods, pods/log get/list/watch, bound to the orchestrator', () => {
    assert.deepEqual(byKind(external, 'ClusterRole'), []);
    assert.deepEqual(byKind(external, 'ClusterRoleBinding'), []);
    const roles = byKind(external, 'Role');
    assert.equal(roles.length, 1);
    const rules = roles[0].rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    for (const r of rules)
      for (const v of [...r.apiGroups, ...r.resources, ...r.verbs]) assert.ok(!v.includes('*'), `wildcard in ${v}`);
    const granted = rules.flatMap((r) =>
      r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g || 'core'}/${res}:${v}`))),
    );
    assert.deepEqual(
      granted.sort(),
      [
        ...['create', 'get', 'list', 'watch', 'delete'].map((v) => `batch/jobs:${v}`),
        ...['pods', 'pods/log'].flatMap((res) => ['get', 'list', 'watch'].map((v) => `core/${res}:${v}`)),
      ].sort(),
    );
    const [binding] = byKind(external, 'RoleBinding');
    assert.deepEqual(binding.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: roles[0].metadata.name,
    });
    const orchestrator = podSpecs([named(external, 'Deployment', 'bench-coin-orchestrator')])[0].spec;
    assert.deepEqual(binding.subjects, [
      { kind: 'ServiceAccount', name: orchestrator.serviceAccountName, namespace: 'ml' },
    ]);
    named(external, 'ServiceAccount', orchestrator.serviceAccountName ?? '');
    // Only the orchestrator mounts the token.
    for (const p of podSpecs(external))
      assert.equal(p.spec.automountServiceAccountToken, p.owner === 'Deployment/bench-coin-orchestrator', p.owner);
  });

  for (const [name, objects] of [
    ['external', external],
    ['dev', dev],
  ] as const) {
    it(`${name}: every pod meets the restricted Pod Security Standard, with writable emptyDirs for scratch`, () => {
      const pods = podSpecs(objects);
      assert.ok(pods.length >= (name === 'dev' ? 7 : 6));
      for (const { owner, spec } of pods) {
        const pod = spec.securityContext ?? {};
        assert.equal(pod.runAsNonRoot, true, owner);
        assert.deepEqual(pod.seccompProfile, { type: 'RuntimeDefault' }, owner);
        for (const flag of ['hostNetwork', 'hostPID', 'hostIPC'] as const) assert.ok(!spec[flag], `${owner}: ${flag}`);
        for (const v of spec.volumes ?? []) {
          const kinds = Object.keys(v).filter((k) => k !== 'name');
          assert.ok(
            kinds.every((k) => ['emptyDir', 'configMap', 'secret', 'projected'].includes(k)),
            `${owner}: ${kinds}`,
          );
        }
        for (const c of [...spec.containers, ...(spec.initContainers ?? [])] as Container[]) {
          const sc = c.securityContext ?? {};
          const at = `${owner} ${c.name}`;
          assert.equal(sc.allowPrivilegeEscalation, false, at);
          assert.notEqual(sc.privileged, true, at);
          assert.equal(sc.runAsNonRoot, true, at);
          assert.ok(typeof sc.runAsUser === 'number' && sc.runAsUser > 0, at);
          assert.deepEqual((sc.capabilities as { drop: string[]; add?: string[] }).drop, ['ALL'], at);
          assert.equal((sc.capabilities as { add?: string[] }).add, undefined, at);
          assert.deepEqual(sc.seccompProfile, { type: 'RuntimeDefault' }, at);
          assert.equal(sc.readOnlyRootFilesystem, true, at);
          assert.ok(!(c.ports ?? []).some((p) => 'hostPort' in p), at);
          if (c.name !== 'health') {
            const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
            const volume = spec.volumes?.find((v) => v.name === tmp?.name);
            assert.ok(volume && 'emptyDir' in volume, `${at}: no emptyDir at /tmp`);
          }
        }
      }
    });
  }

  it('NetworkPolicies: default deny, then DNS, the bus and the store for all; clients and the API for the orchestrator only; the LLM server for the judge only', () => {
    const policies = byKind(external, 'NetworkPolicy').map(
      (o) =>
        o.spec as {
          podSelector: LabelSelector;
          policyTypes: string[];
          ingress?: { from?: { podSelector?: LabelSelector }[]; ports: { port: number; protocol: string }[] }[];
          egress?: { to?: unknown[]; ports: { port: number; protocol: string }[] }[];
        },
    );
    const pods = podSpecs(external);
    const deny = policies.filter(
      (p) => !p.ingress && !p.egress && p.policyTypes.includes('Ingress') && p.policyTypes.includes('Egress'),
    );
    assert.equal(deny.length, 1);
    for (const p of pods) assert.ok(selects(deny[0].podSelector, p.labels), `${p.owner} escapes the default deny`);
    const egressPorts = (labels: Record<string, string>) =>
      new Set(
        policies
          .filter((p) => selects(p.podSelector, labels))
          .flatMap((p) => (p.egress ?? []).flatMap((r) => r.ports.map((port) => `${port.protocol}/${port.port}`))),
      );
    const ingressFrom = (labels: Record<string, string>) =>
      policies.filter((p) => selects(p.podSelector, labels)).flatMap((p) => p.ingress ?? []);
    const labelsOf = (owner: string) => {
      const found = pods.find((p) => p.owner === owner);
      assert.ok(found, owner);
      return found.labels;
    };
    const base = ['UDP/53', 'TCP/53', 'TCP/9092', 'TCP/9093', 'TCP/443', 'TCP/9000'];
    for (const app of Object.keys(SERVICES)) {
      const out = egressPorts(labelsOf(`Deployment/bench-coin-${app}`));
      for (const port of base) assert.ok(out.has(port), `${app} cannot reach ${port}`);
      assert.equal(out.has('TCP/6443'), app === 'orchestrator', `${app}: Kubernetes API`);
      assert.equal(out.has('TCP/8000'), app === 'judge', `${app}: LLM server`);
      const rules = ingressFrom(labelsOf(`Deployment/bench-coin-${app}`));
      const testLabels = labelsOf('Pod/bench-coin-test-health');
      assert.ok(
        rules.some(
          (r) =>
            r.from?.some((f) => selects(f.podSelector, testLabels)) && r.ports.some((p) => p.port === SERVICES[app]),
        ),
        `${app}: the helm test pod cannot reach it`,
      );
      const clients = rules.some((r) => r.from?.some((f) => selects(f.podSelector, { 'coin.io/client': 'true' })));
      assert.equal(clients, app === 'orchestrator', `${app}: clients`);
    }
    // The helm test pod reaches the services and DNS, nothing else.
    assert.deepEqual(
      [...egressPorts(labelsOf('Pod/bench-coin-test-health'))].filter((p) => !base.includes(p)).sort(),
      Object.values(SERVICES).map((p) => `TCP/${p}`),
    );
  });

  it('in-cluster: the services use Strimzi and MinIO, and the policies let them through', () => {
    const env = named(dev, 'ConfigMap', 'coin-env').data as Record<string, string>;
    assert.equal(env.COIN_KAFKA_BROKERS, 'coin-kafka-kafka-bootstrap:9092');
    assert.equal(env.COIN_S3_ENDPOINT, 'http://coin-minio:9000');
    named(dev, 'Service', 'coin-minio');
    const kafka = named(dev, 'Kafka', 'coin-kafka');
    assert.equal(kafka.apiVersion, 'kafka.strimzi.io/v1beta2');
    assert.equal(kafka.metadata.annotations?.['strimzi.io/kraft'], 'enabled');
    const pool = named(dev, 'KafkaNodePool', 'coin-kafka-nodes');
    assert.equal(pool.metadata.labels?.['strimzi.io/cluster'], 'coin-kafka');
    // Strimzi's pods copy these labels: without app.kubernetes.io/name the default deny leaves them alone.
    assert.equal(kafka.metadata.labels?.['app.kubernetes.io/name'], undefined);
    const egress = byKind(dev, 'NetworkPolicy')
      .flatMap(
        (p) =>
          (p.spec as { egress?: { to?: { podSelector?: { matchLabels?: Record<string, string> } }[] }[] }).egress ?? [],
      )
      .flatMap((r) => r.to ?? [])
      .map((t) => t.podSelector?.matchLabels ?? {});
    assert.ok(egress.some((l) => l['strimzi.io/cluster'] === 'coin-kafka'));
    assert.ok(egress.some((l) => l['app.kubernetes.io/component'] === 'minio'));
  });

  it('KafkaTopics: every CoIN topic and its dead-letter twin (@coin/contracts ALL_TOPICS)', () => {
    const topics = byKind(dev, 'KafkaTopic').map((t) => {
      assert.equal(t.metadata.labels?.['strimzi.io/cluster'], 'coin-kafka');
      assert.match(t.metadata.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      return (t.spec as { topicName: string }).topicName;
    });
    assert.deepEqual([...topics].sort(), [...ALL_TOPICS].sort());
    assert.deepEqual(byKind(external, 'KafkaTopic'), []);
  });

  it('S3 and judge credentials come from the existing Secrets, never from values', () => {
    for (const app of Object.keys(SERVICES)) {
      const [c] = podSpecs([named(external, 'Deployment', `bench-coin-${app}`)])[0].spec.containers;
      const refs = Object.fromEntries(
        (c.env ?? []).filter((e) => e.valueFrom).map((e) => [e.name, e.valueFrom?.secretKeyRef]),
      );
      assert.deepEqual(refs.COIN_S3_ACCESS_KEY, { name: 'coin-s3', key: 'COIN_S3_ACCESS_KEY' });
      assert.deepEqual(refs.COIN_S3_SECRET_KEY, { name: 'coin-s3', key: 'COIN_S3_SECRET_KEY' });
      assert.deepEqual(refs.OPENAI_API_KEY, app === 'judge' ? { name: 'coin-judge', key: 'apiKey' } : undefined);
    }
    assert.deepEqual(byKind(external, 'Secret'), []);
  });

  it("the helm test hook checks every service's health with the app image", () => {
    const pod = named(external, 'Pod', 'bench-coin-test-health');
    assert.equal(pod.metadata.annotations?.['helm.sh/hook'], 'test');
    const [c] = (pod.spec as { containers: Container[] }).containers;
    assert.equal(c.image, 'coin:0.1.0');
    assert.deepEqual(c.command, ['node', '/app/tools/grpc-health.mjs', '--timeout', '10']);
    const services = new Set(byKind(external, 'Service').map((s) => s.metadata.name));
    assert.deepEqual(
      [...(c.args ?? [])].sort(),
      Object.entries(SERVICES)
        .map(([app, port]) => `bench-coin-${app}:${port}`)
        .sort(),
    );
    for (const a of c.args ?? []) assert.ok(services.has(a.split(':')[0]), a);
    assert.deepEqual(
      render({ values: [EXTERNAL], set: ['tests.enabled=false'] }).filter((o) => o.kind === 'Pod'),
      [],
    );
  });

  it('NOTES.txt: the services, helm test, the port-forward and the submit command, where results land', () => {
    const r = renderChart({ values: [EXTERNAL], release: 'bench', namespace: 'ml', notes: true, strict: true });
    assert.ok(r.ok, r.stderr);
    assert.match(r.stdout, /bench-coin-orchestrator\.ml\.svc:50051/);
    assert.match(r.stdout, /helm test bench --namespace ml/);
    assert.match(r.stdout, /kubectl port-forward --namespace ml svc\/bench-coin-orchestrator 50051:50051/);
    assert.match(r.stdout, /coin submit --orchestrator 127\.0\.0\.1:50051/);
    assert.match(r.stdout, /bucket "coin-results" at https:\/\/s3\.eu-west-1\.amazonaws\.com/);
  });
});

/** The COIN_* environment a container sees: its ConfigMap envFrom, then its env (Secret values stand in). */
function environment(objects: readonly K8sObject[], c: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? [])
    if (from.configMapRef) Object.assign(env, named(objects, 'ConfigMap', from.configMapRef.name).data);
  for (const e of c.env ?? []) env[e.name] = e.value ?? `secret:${e.valueFrom?.secretKeyRef?.key}`;
  return env;
}

describe("the product's configuration accepts what the chart gives each service", () => {
  it('every service: its COIN_* environment (and the orchestrator its config.json) resolve with resolveConfig', () => {
    for (const app of Object.keys(SERVICES)) {
      const [c] = podSpecs([named(external, 'Deployment', `bench-coin-${app}`)])[0].spec.containers;
      const env = environment(external, c);
      let file: Record<string, unknown> | undefined;
      if (app === 'orchestrator') {
        assert.equal(c.args?.[c.args.indexOf('--config') + 1], '/etc/coin/config.json');
        const data = named(external, 'ConfigMap', 'bench-coin-orchestrator').data as Record<string, string>;
        file = JSON.parse(data['config.json']) as Record<string, unknown>;
      }
      const config = resolveConfig(file, env);
      assert.deepEqual(config.kafka.brokers, ['kafka-0.kafka.example:9092', 'kafka-1.kafka.example:9092']);
      assert.equal(config.s3.endpoint, 'https://s3.eu-west-1.amazonaws.com');
      assert.equal(config.s3.bucket, 'coin-results');
      assert.equal(config.s3.accessKey, 'secret:COIN_S3_ACCESS_KEY');
      assert.equal(config.storeDir, '/scratch/store');
      assert.equal(config.log.format, 'json');
      if (app === 'orchestrator') {
        assert.equal(config.kubernetes.namespace, 'ml');
        assert.equal(config.kubernetes.trainerImage, 'coin-gpu:0.1.0');
      }
    }
  });

  it("the trainer Jobs' settings: the release's namespace, service account, Secrets and ConfigMap; GPUs and tolerations from values", () => {
    const set = [
      'trainerJob.gpus=2',
      'trainerJob.activeDeadlineSeconds=7200',
      'trainerJob.image.repository=registry.example/coin-gpu',
      'trainerJob.image.tag=1.2.3',
    ];
    const objects = render({ values: [EXTERNAL], set, release: 'bench', namespace: 'ml' });
    const data = named(objects, 'ConfigMap', 'bench-coin-orchestrator').data as Record<string, string>;
    const k8s = (JSON.parse(data['config.json']) as { kubernetes: Record<string, unknown> }).kubernetes;
    assert.equal(k8s.namespace, 'ml');
    assert.equal(k8s.instance, 'bench');
    assert.equal(k8s.gpus, 2);
    assert.equal(k8s.activeDeadlineSeconds, 7200);
    assert.equal(k8s.trainerImage, 'registry.example/coin-gpu:1.2.3');
    assert.equal(k8s.serviceAccount, 'bench-coin');
    named(objects, 'ServiceAccount', 'bench-coin');
    assert.deepEqual(k8s.envFromConfigMaps, ['bench-coin-env']);
    assert.deepEqual(k8s.envFromSecrets, ['coin-s3']);
    assert.deepEqual(k8s.tolerations, [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    // The default: no deadline key at all.
    const defaults = named(external, 'ConfigMap', 'bench-coin-orchestrator').data as Record<string, string>;
    assert.ok(!('activeDeadlineSeconds' in (JSON.parse(defaults['config.json']) as { kubernetes: object }).kubernetes));
  });
});

describe('helm/coin refuses incomplete values, saying what to set', () => {
  it('no Kafka brokers and no in-cluster Kafka', () => {
    assert.match(renderError({}), /kafka\.brokers is required .*kafka\.inCluster\.enabled=true/);
  });
  it('no S3 endpoint and no MinIO', () => {
    assert.match(renderError({ set: ['kafka.brokers={k:9092}'] }), /s3\.endpoint is required .*minio\.enabled=true/);
  });
  it('no S3 Secret', () => {
    assert.match(
      renderError({ set: ['kafka.brokers={k:9092}', 's3.endpoint=https://s3.example'] }),
      /s3\.existingSecret is required/,
    );
  });
  it('MinIO without its Secret', () => {
    assert.match(
      renderError({ set: ['kafka.inCluster.enabled=true', 'minio.enabled=true'] }),
      /minio\.existingSecret is required/,
    );
  });
  it('S3 Secret keys the trainer Jobs could not take through envFrom', () => {
    assert.match(
      renderError({ values: [EXTERNAL], set: ['s3.accessKeyKey=access'] }),
      /keys must be COIN_S3_ACCESS_KEY/,
    );
  });
  it('a template reading a key values.yaml lacks (strict rendering)', () => {
    assert.match(renderError({ values: [EXTERNAL], set: ['services.judge=null'] }), /no entry for key "replicas"/);
  });
});
