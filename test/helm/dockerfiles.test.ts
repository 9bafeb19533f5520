/**
 * The images cannot be built here (no docker): the Dockerfiles are parsed and held to the rules —
 * pinned bases (exact version tags or digests, never `latest`), multi-stage with `npm ci`, a numeric
 * non-root USER in the final stage, the entry chosen by APP, and the GPU variant's CUDA 12 base and
 * onnxruntime-node CUDA provider installed at build time.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './manifests.js';

interface Instruction {
  readonly op: string;
  readonly args: string;
}

/** Instructions with continuation lines joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

/** Each FROM's image with ARG defaults substituted. */
function baseImages(instructions: readonly Instruction[]): string[] {
  const args = new Map<string, string>();
  const stages = new Set<string>();
  const images: string[] = [];
  for (const i of instructions) {
    if (i.op === 'ARG') {
      const m = /^([A-Za-z_]+)=(\S+)$/.exec(i.args);
      if (m) args.set(m[1], m[2]);
    }
    if (i.op === 'FROM') {
      const [image, , stage] = i.args.split(/\s+/);
      const resolved = image.replace(/\$\{?([A-Za-z_]+)\}?/g, (_, name: string) => args.get(name) ?? `<unset ${name}>`);
      if (!stages.has(resolved)) images.push(resolved);
      if (stage) stages.add(stage);
    }
  }
  return images;
}

const PINNED = /^[a-z0-9./-]+(:[0-9][\w.-]*)?(@sha256:[0-9a-f]{64})?$/;

for (const file of ['Dockerfile', 'Dockerfile.gpu']) {
  describe(file, () => {
    const instructions = parseDockerfile(readFileSync(join(ROOT, file), 'utf8'));
    const finalStage = instructions.slice(instructions.findLastIndex((i) => i.op === 'FROM'));

    it('every base image is pinned: an exact version tag or a digest, never latest', () => {
      const images = baseImages(instructions);
      assert.ok(images.length >= 1);
      for (const image of images) {
        assert.ok(!/:latest\b/.test(image) && !image.includes('<unset'), image);
        assert.ok(/(:[0-9]|@sha256:)/.test(image), `${image} is not pinned`);
        assert.match(image, PINNED);
      }
    });

    it('multi-stage: npm ci in a build stage, the final stage copies its result', () => {
      assert.ok(instructions.filter((i) => i.op === 'FROM').length >= 2);
      assert.ok(instructions.some((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args)));
      assert.ok(!finalStage.some((i) => i.op === 'RUN' && /\bnpm (ci|install)\b/.test(i.args)));
      assert.ok(finalStage.some((i) => i.op === 'COPY' && /--from=build\b/.test(i.args)));
    });

    it('the final stage runs as a numeric non-root user, the entry chosen by APP', () => {
      const users = finalStage.filter((i) => i.op === 'USER');
      assert.equal(users.length, 1);
      const [uid, gid] = users[0].args.split(':');
      assert.ok(Number(uid) > 0 && Number(gid) > 0, `USER ${users[0].args}`);
      const entry = finalStage.find((i) => i.op === 'ENTRYPOINT');
      assert.ok(entry);
      assert.match(entry.args, /dist\/apps\/\$\{APP\}\/src\/main\.js/);
      assert.ok(finalStage.some((i) => i.op === 'ENV' && /\bAPP=/.test(i.args)));
    });
  });
}

describe('Dockerfile.gpu', () => {
  const text = readFileSync(join(ROOT, 'Dockerfile.gpu'), 'utf8');
  it('a CUDA 12 runtime base and onnxruntime-node installed with its CUDA 12 provider at build time', () => {
    assert.ok(baseImages(parseDockerfile(text)).some((i) => /^nvidia\/cuda:12\.\d+\.\d+-cudnn-runtime-/.test(i)));
    assert.match(text, /ONNXRUNTIME_NODE_INSTALL=cuda12 node script\/install/);
    assert.match(text, /libonnxruntime_providers_cuda\.so/);
  });
});

describe('.dockerignore', () => {
  it('keeps installed and built trees out of the build context', () => {
    const lines = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['**/node_modules', 'dist', 'tmp', '.nx']) assert.ok(lines.includes(entry), entry);
  });
});
