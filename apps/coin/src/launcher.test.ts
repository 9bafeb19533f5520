import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

// The launcher (bin/coin.js) and the build (tools/build-cli.mjs), run on a copy of the workspace's
// sources in a temporary folder, so that editing a source there leaves the checkout alone.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const copy = mkdtempSync(join(tmpdir(), 'coin-launcher-'));
before(copyWorkspace);
after(() => rmSync(copy, { recursive: true, force: true }));

function copyWorkspace(): void {
  for (const file of ['tools/build-cli.mjs', 'tsconfig.base.json', 'package.json'])
    cpSync(join(root, file), join(copy, file));
  for (const group of ['libs', 'apps']) {
    cpSync(join(root, group), join(copy, group), {
      recursive: true,
      filter: (src) => !/\/(node_modules|dist)$/.test(src),
    });
  }
  symlinkSync(join(root, 'proto'), join(copy, 'proto'));
  // node_modules: the checkout's packages, except that @coin/* are the copy's projects.
  mkdirSync(join(copy, 'node_modules/@coin'), { recursive: true });
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry !== '@coin') symlinkSync(join(root, 'node_modules', entry), join(copy, 'node_modules', entry));
  }
  for (const group of ['libs', 'apps']) {
    for (const dir of readdirSync(join(copy, group))) {
      const { name } = JSON.parse(readFileSync(join(copy, group, dir, 'package.json'), 'utf8')) as { name: string };
      symlinkSync(join(copy, group, dir), join(copy, 'node_modules', name));
    }
  }
}

function run(bin: string, args: string[]) {
  const r = spawnSync(process.execPath, [join(copy, 'apps/coin/bin', bin), ...args], {
    cwd: copy,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
  assert.equal(r.status, 0, r.stderr);
  return r;
}

const coin = (args: string[]) => run('coin.js', args);

test('coin builds dist/ on first use, runs it, and rebuilds after a source is edited', () => {
  const first = coin(['--help']);
  assert.equal(first.stderr, '', 'the build says nothing unless asked (--verbose)');
  assert.match(first.stdout, /Commands:[\s\S]*score/);
  assert.ok(existsSync(join(copy, 'dist/apps/coin/src/main.js')));
  assert.equal(coin(['--help']).stdout, first.stdout);

  const main = join(copy, 'apps/coin/src/main.ts');
  writeFileSync(main, readFileSync(main, 'utf8').replace('CoIN-TS: the CoIN', 'EDITED: the CoIN'));
  const edited = coin(['--verbose', '--help']);
  assert.equal(
    edited.stderr,
    'coin: apps/coin/src/main.ts changed since the last build; compiling the sources to dist/\n',
  );
  assert.match(edited.stdout, /EDITED: the CoIN/);
  assert.equal(coin(['--verbose', '--help']).stderr, '', 'an unchanged tree is not rebuilt');

  // A new module in a library (a folder's mtime changes) and a changed import of it.
  mkdirSync(join(copy, 'libs/core/src/extra'));
  writeFileSync(join(copy, 'libs/core/src/extra/banner.ts'), "export const BANNER: string = 'NEW MODULE';\n");
  const index = join(copy, 'libs/core/src/index.ts');
  writeFileSync(index, `${readFileSync(index, 'utf8')}export { BANNER } from './extra/banner.js';\n`);
  writeFileSync(main, readFileSync(main, 'utf8').replace("'EDITED: the CoIN", "BANNER + ': the CoIN"));
  writeFileSync(main, `import { BANNER } from '@coin/core';\n${readFileSync(main, 'utf8')}`);
  assert.match(coin(['--help']).stdout, /NEW MODULE: the CoIN/);
});

// Packages `coin --help` must not load: each takes 30–150 ms, and every command registers on import.
const LOADED_ON_USE = ['sharp', '@napi-rs/canvas', 'zod', 'pino', 'pino-pretty', 'onnxruntime-node'];

test('coin --help imports none of the packages that load on first use', () => {
  // A resolve hook in the child that throws on any of them; loaded lazily, they are never resolved.
  const hook = `const banned = new Set(${JSON.stringify(LOADED_ON_USE)});
    export async function resolve(specifier, context, next) {
      if (banned.has(specifier)) throw new Error('coin --help imported ' + specifier + ' (import it where it is used)');
      return next(specifier, context);
    }`;
  const register = `import { register } from 'node:module';
    register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
  const r = spawnSync(
    process.execPath,
    [`--import=data:text/javascript,${encodeURIComponent(register)}`, join(copy, 'apps/coin/bin/coin.js'), '--help'],
    { cwd: copy, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
  );
  assert.equal(r.status, 0, r.stderr);
});

test('coin-from-source.js runs the TypeScript sources through swc-node, without dist/', () => {
  const main = join(copy, 'apps/coin/src/main.ts');
  writeFileSync(main, readFileSync(main, 'utf8').replace(': the CoIN', ': FROM SOURCE, the CoIN'));
  rmSync(join(copy, 'dist'), { recursive: true, force: true });
  const r = run('coin-from-source.js', ['--help']);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /: FROM SOURCE, the CoIN/);
  assert.equal(existsSync(join(copy, 'dist')), false);
});

test('a rebuild that fails leaves a notice and runs the sources on the fly', () => {
  coin(['--version']); // builds dist/ afresh (the test before removed it)
  const main = join(copy, 'apps/coin/src/main.ts');
  writeFileSync(main, readFileSync(main, 'utf8').replace('the CoIN continual', 'the NOT REBUILT continual'));
  // A file where the build must create a folder: the rebuild fails as on a read-only checkout.
  rmSync(join(copy, 'dist/apps/coin/src'), { recursive: true });
  writeFileSync(join(copy, 'dist/apps/coin/src'), '');
  const r = coin(['--help']);
  assert.match(r.stderr, /^coin: could not build dist\/ \(.+\); compiling TypeScript on the fly\n$/);
  assert.match(r.stdout, /the NOT REBUILT continual/);
});
