// Lint: TypeScript sources plus the Nx module-boundary rule, whose tags encode ARCHITECTURE.md:
//   type:*   what a project is (lib, contracts, app, app-kit, e2e); libs never depend on apps.
//   scope:*  which lib may import which (dependency direction, top may import below).
//   uses:*   which external frameworks a project may import: only the owning adapter imports
//            @nestjs/*, kafkajs, minio, @kubernetes/client-node, onnxruntime-node.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const NEST = '@nestjs/*';
const ORT = 'onnxruntime-node';
const INFRA = ['kafkajs', 'minio', '@kubernetes/client-node'];

// scope → scopes it may import (besides itself).
const layers = {
  core: [],
  contracts: [],
  onnx: ['core'],
  runtime: ['core', 'onnx'],
  autodiff: ['core', 'onnx', 'runtime'],
  data: ['core'],
  metrics: ['core'],
  model: ['core', 'onnx', 'runtime', 'autodiff', 'data'],
  training: ['core', 'onnx', 'runtime', 'autodiff', 'data', 'model', 'metrics'],
  evaluation: ['core', 'onnx', 'runtime', 'autodiff', 'data', 'model', 'metrics'],
  platform: ['core', 'contracts'],
  pipeline: [
    'core',
    'onnx',
    'runtime',
    'autodiff',
    'data',
    'model',
    'metrics',
    'training',
    'evaluation',
    'platform',
    'contracts',
  ],
};

export const depConstraints = [
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
  // type:app-kit: shared app code (the services' Nest host); apps may import it, libs may not.
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:app-kit'] },
  { sourceTag: 'type:app-kit', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
  // type:e2e may start the services with the app kit's test helpers.
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:app', 'type:app-kit'] },
  ...Object.entries(layers).map(([scope, below]) => ({
    sourceTag: `scope:${scope}`,
    onlyDependOnLibsWithTags: [`scope:${scope}`, ...below.map((s) => `scope:${s}`)],
  })),
  { sourceTag: 'uses:none', bannedExternalImports: [NEST, ORT, ...INFRA] },
  { sourceTag: 'uses:ort', bannedExternalImports: [NEST, ...INFRA] },
  { sourceTag: 'uses:infra', bannedExternalImports: [NEST, ORT] },
  // Apps, and contracts for ts-proto's generated Nest decorators.
  { sourceTag: 'uses:nest', bannedExternalImports: [ORT, ...INFRA] },
  // uses:any (cross-project tests in test/) may import every adapter's dependency to check it for real.
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.nx/**',
      'tmp/**',
      'libs/contracts/src/gen/**',
      'libs/onnx/src/proto/gen/**',
      'bench/out/**',
    ],
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allowCircularSelfDependency: false,
          checkDynamicDependenciesExceptions: [],
          depConstraints,
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
    },
  },
);
