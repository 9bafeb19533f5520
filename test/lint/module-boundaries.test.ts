import { strict as assert } from 'node:assert';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

// Lints probe sources as if they lived inside real projects, through the repository's own
// eslint.config.mjs, so a change that weakens the boundary rules fails here.
const root = resolve(fileURLToPath(import.meta.url), '../../..');
const eslint = new ESLint({ cwd: root });

// The Nx rule reads the cached project graph and reports nothing when there is none (a fresh
// clone): compute it first, as `npm test` and `npm run lint` do.
before(() => {
  const r = spawnSync(join(root, 'node_modules/.bin/nx'), ['show', 'projects'], {
    cwd: root,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /@coin\/core/);
});

async function boundaryErrors(projectFile: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(root, projectFile) });
  return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

const cases: Array<{ name: string; file: string; source: string; forbidden: boolean }> = [
  {
    name: 'a lib importing @nestjs/core',
    file: 'libs/core/src/probe.ts',
    source: "import { NestFactory } from '@nestjs/core';\nexport const x = NestFactory;\n",
    forbidden: true,
  },
  {
    name: 'a lib importing kafkajs',
    file: 'libs/core/src/probe.ts',
    source: "import { Kafka } from 'kafkajs';\nexport const x = Kafka;\n",
    forbidden: true,
  },
  {
    name: 'a lib importing onnxruntime-node',
    file: 'libs/platform/src/probe.ts',
    source: "import { InferenceSession } from 'onnxruntime-node';\nexport const x = InferenceSession;\n",
    forbidden: true,
  },
  {
    name: 'an app importing minio directly',
    file: 'apps/coin/src/probe.ts',
    source: "import { Client } from 'minio';\nexport const x = Client;\n",
    forbidden: true,
  },
  {
    name: 'a lower lib importing a higher one',
    file: 'libs/core/src/probe.ts',
    source: "import { resolveConfig } from '@coin/platform';\nexport const x = resolveConfig;\n",
    forbidden: true,
  },
  {
    name: 'a lib importing an app',
    file: 'libs/platform/src/probe.ts',
    source: "import { main } from '@coin/cli';\nexport const x = main;\n",
    forbidden: true,
  },
  {
    name: 'platform importing core',
    file: 'libs/platform/src/probe.ts',
    source: "import { CoinError } from '@coin/core';\nexport const x = CoinError;\n",
    forbidden: false,
  },
  {
    name: 'the CLI importing commander and libs',
    file: 'apps/coin/src/probe.ts',
    source:
      "import { Command } from 'commander';\nimport { CoinError } from '@coin/core';\nexport const x = [Command, CoinError];\n",
    forbidden: false,
  },
  {
    name: 'the platform lib importing kafkajs (its adapter)',
    file: 'libs/platform/src/probe.ts',
    source: "import { Kafka } from 'kafkajs';\nexport const x = Kafka;\n",
    forbidden: false,
  },
  {
    name: 'a service app importing the service host (type:app-kit)',
    file: 'apps/trainer/src/probe.ts',
    source: "import { startService } from '@coin/service-host';\nexport const x = startService;\n",
    forbidden: false,
  },
  {
    name: 'a cross-project test starting services with the service host',
    file: 'test/services/probe.ts',
    source: "import { startForTest } from '@coin/service-host/testing';\nexport const x = startForTest;\n",
    forbidden: false,
  },
  {
    name: 'a lib importing the service host',
    file: 'libs/pipeline/src/probe.ts',
    source: "import { startService } from '@coin/service-host';\nexport const x = startService;\n",
    forbidden: true,
  },
  {
    name: 'the service host importing an app',
    file: 'apps/service-host/src/probe.ts',
    source: "import { main } from '@coin/cli';\nexport const x = main;\n",
    forbidden: true,
  },
  {
    name: 'the service host importing kafkajs directly',
    file: 'apps/service-host/src/probe.ts',
    source: "import { Kafka } from 'kafkajs';\nexport const x = Kafka;\n",
    forbidden: true,
  },
];

for (const c of cases) {
  test(`module boundaries: ${c.name} is ${c.forbidden ? 'forbidden' : 'allowed'}`, async () => {
    const errors = await boundaryErrors(c.file, c.source);
    if (c.forbidden) assert.ok(errors.length > 0, `expected a boundary error for ${c.file}`);
    else assert.deepEqual(errors, []);
  });
}
