/**
 * helm/coin's values: values.yaml validates against values.schema.json (draft-07, ajv), unknown keys
 * are rejected at every level, every `.Values.a.b` a template reads exists in values.yaml, every
 * key of values.yaml is documented, and the chart's appVersion is the product's version.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import { isMap, isPair, isScalar, parse, parseDocument, type YAMLMap } from 'yaml';
import { CHART, ROOT } from './manifests.js';

const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as Record<string, unknown>;
const valuesText = readFileSync(join(CHART, 'values.yaml'), 'utf8');
const values = () => parse(valuesText) as Record<string, unknown>;
const validate = new Ajv({ allErrors: true }).compile(schema);
const problems = (v: unknown) => (validate(v) ? [] : (validate.errors ?? []).map((e) => `${e.dataPath} ${e.message}`));

/** Every object schema, with its JSON pointer. */
function objectSchemas(node: unknown, at = '#'): { at: string; schema: Record<string, unknown> }[] {
  if (!node || typeof node !== 'object') return [];
  const found: { at: string; schema: Record<string, unknown> }[] = [];
  const s = node as Record<string, unknown>;
  if (s.type === 'object') found.push({ at, schema: s });
  for (const [k, v] of Object.entries(s)) found.push(...objectSchemas(v, `${at}/${k}`));
  return found;
}

describe('helm/coin values', () => {
  it('values.yaml validates against values.schema.json (draft-07)', () => {
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.deepEqual(problems(values()), []);
  });

  it('rejects unknown keys at the top, in a service, in a nested section, and bad values', () => {
    const cases: [string, (v: Record<string, unknown>) => void, RegExp][] = [
      ['top-level typo', (v) => (v.replica = 1), /should NOT have additional properties/],
      [
        'service typo',
        (v) => ((v.services as Record<string, Record<string, unknown>>).trainer.replica = 2),
        /\.services\.trainer should NOT have additional properties/,
      ],
      [
        'egress typo',
        (v) =>
          (((v.networkPolicy as Record<string, Record<string, unknown>>).egress.kafka as Record<string, unknown>).port =
            [1]),
        /\.networkPolicy\.egress\.kafka should NOT have additional properties/,
      ],
      [
        'two orchestrators',
        (v) => ((v.services as Record<string, Record<string, unknown>>).orchestrator.replicas = 2),
        /\.services\.orchestrator\.replicas should be <= 1/,
      ],
      ['a broker without a port', (v) => ((v.kafka as Record<string, unknown>).brokers = ['kafka']), /brokers\[0\]/],
      [
        'an S3 endpoint that is not a URL',
        (v) => ((v.s3 as Record<string, unknown>).endpoint = 's3.example'),
        /\.s3\.endpoint/,
      ],
      [
        'a judge key named COIN_*',
        (v) => ((v.judge as Record<string, unknown>).apiKeyEnv = 'COIN_KEY'),
        /\.judge\.apiKeyEnv/,
      ],
    ];
    for (const [what, change, expected] of cases) {
      const v = values();
      change(v);
      assert.match(problems(v).join('\n'), expected, what);
    }
  });

  it('every object schema sets additionalProperties: false or types its free keys', () => {
    const loose = objectSchemas(schema)
      .filter(({ schema: s }) => s.additionalProperties !== false && typeof s.additionalProperties !== 'object')
      .map(({ at }) => at);
    // The pass-through parts of an Affinity (Kubernetes' own structure) are the only free objects.
    assert.deepEqual(
      loose.filter((at) => !/\/affinity\/properties\/(nodeAffinity|podAffinity|podAntiAffinity)$/.test(at)),
      [],
    );
  });

  it('every .Values path a template reads exists in values.yaml', () => {
    const dir = join(CHART, 'templates');
    const files = [
      ...readdirSync(dir).map((f) => join(dir, f)),
      ...readdirSync(join(dir, 'tests')).map((f) => join(dir, 'tests', f)),
    ].filter((f) => /\.(yaml|tpl|txt)$/.test(f));
    const missing: string[] = [];
    let paths = 0;
    const parsed = values();
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
        paths += 1;
        let node: unknown = parsed;
        for (const key of m[1].slice(1).split('.')) {
          if (!node || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, key)) {
            missing.push(`${file.slice(CHART.length + 1)}: .Values${m[1]}`);
            break;
          }
          node = (node as Record<string, unknown>)[key];
        }
      }
    }
    assert.ok(paths > 40, `only ${paths} .Values paths found: the scan is broken`);
    assert.deepEqual(missing, []);
  });

  it('every key of values.yaml has a comment (on itself or its section)', () => {
    const doc = parseDocument(valuesText);
    const undocumented: string[] = [];
    const walk = (map: YAMLMap, path: string, depth: number, covered: boolean) => {
      map.items.forEach((pair, i) => {
        if (!isPair(pair) || !isScalar(pair.key)) return;
        const key = String(pair.key.value);
        const own = Boolean(pair.key.commentBefore) || (i === 0 && Boolean(map.commentBefore));
        if (!own && !covered) undocumented.push(`${path}${key}`);
        // A documented key below the top level covers its whole value (resources: requests.cpu).
        if (isMap(pair.value)) walk(pair.value, `${path}${key}.`, depth + 1, covered || (own && depth >= 1));
      });
    };
    walk(doc.contents as YAMLMap, '', 0, false);
    assert.deepEqual(undocumented, []);
  });

  it("Chart.yaml: apiVersion v2 and appVersion is package.json's version", () => {
    const chart = parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(chart.apiVersion, 'v2');
    assert.equal(chart.appVersion, pkg.version);
  });
});

describe('README "Run on Kubernetes"', () => {
  it('names only files that exist', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('## Run on Kubernetes');
    assert.ok(start > 0, 'the section is missing');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    const paths = [...section.matchAll(/(?:`|\s)((?:helm|k8s|tools)\/[\w./-]+|Dockerfile(?:\.gpu)?)(?=[`\s])/g)].map(
      (m) => m[1],
    );
    assert.ok(paths.length >= 8, paths.join(', '));
    for (const p of paths) assert.ok(existsSync(join(ROOT, p)), `${p} does not exist`);
  });
});
