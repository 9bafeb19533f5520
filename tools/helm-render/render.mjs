// Builds the test-only chart renderer (tools/helm-render/main.go) on demand and runs it. The binary
// is cached in tmp/helm-render/ and rebuilt when main.go is newer. Go builds it offline from Debian's
// packages (golang-go, golang-github-masterminds-sprig-dev, golang-gopkg-yaml.v3-dev: .ci/run
// installs them) in GOPATH mode against /usr/share/gocode.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
export const CHART = join(ROOT, 'helm', 'coin');
const SOURCE = join(ROOT, 'tools', 'helm-render', 'main.go');
const OUT_DIR = join(ROOT, 'tmp', 'helm-render');
const BINARY = join(OUT_DIR, 'helm-render');
const GOPATH = '/usr/share/gocode';
const PACKAGES = 'golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev';

/** The renderer's path, compiled first when missing or older than its source. Throws with the fix. */
export function buildRenderer() {
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= statSync(SOURCE).mtimeMs) return BINARY;
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0)
    throw new Error(
      `helm-render: no Go toolchain (\`go\` is not on PATH): install Debian's ${PACKAGES} (.ci/run does)`,
    );
  for (const dir of ['github.com/Masterminds/sprig', 'gopkg.in/yaml.v3'])
    if (!existsSync(join(GOPATH, 'src', dir)))
      throw new Error(`helm-render: ${join(GOPATH, 'src', dir)} is missing: install Debian's ${PACKAGES}`);
  mkdirSync(OUT_DIR, { recursive: true });
  const partial = `${BINARY}.${process.pid}.tmp`;
  const built = spawnSync('go', ['build', '-o', partial, './tools/helm-render'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      GO111MODULE: 'off',
      GOPATH,
      GOFLAGS: '',
      GOCACHE: join(OUT_DIR, 'go-cache'),
    },
  });
  if (built.status !== 0) throw new Error(`helm-render: go build failed:\n${built.stderr}`);
  renameSync(partial, BINARY);
  return BINARY;
}

/**
 * Renders the chart: `{ ok, stdout, stderr }`. Options: `values` (files over values.yaml), `set`
 * (`path=value` strings), `release`, `namespace`, `strict` (missing keys are errors), `notes`,
 * `service` (.Release.Service), `chart` (default helm/coin).
 */
export function renderChart(options = {}) {
  const args = ['--chart', options.chart ?? CHART];
  for (const f of options.values ?? []) args.push('-f', f);
  for (const s of options.set ?? []) args.push('--set', s);
  if (options.release) args.push('--release', options.release);
  if (options.namespace) args.push('--namespace', options.namespace);
  if (options.service) args.push('--service', options.service);
  if (options.strict) args.push('--strict');
  if (options.notes) args.push('--notes');
  const r = spawnSync(buildRenderer(), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr };
}

// As a command: builds the renderer when needed, then runs it with these arguments (its output and
// exit status pass through). Usage: node tools/helm-render/render.mjs --chart helm/coin [flags...]
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let binary;
  try {
    binary = buildRenderer();
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
  const r = spawnSync(binary, process.argv.slice(2), { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
