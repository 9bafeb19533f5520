/**
 * tools/grpc-health.mjs, the check the chart's `helm test` pod runs: against real gRPC servers
 * serving grpc.health.v1 — all SERVING exits 0, one NOT_SERVING or unreachable exits 1.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { ROOT } from './manifests.js';

function run(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'tools', 'grpc-health.mjs'), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function healthServer(status: 'SERVING' | 'NOT_SERVING') {
  const server = new Server();
  const health = new HealthImplementation({ '': status });
  health.addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { server, health, address: `127.0.0.1:${port}` };
}

describe('tools/grpc-health.mjs', () => {
  let up: Awaited<ReturnType<typeof healthServer>>;
  let down: Awaited<ReturnType<typeof healthServer>>;
  before(async () => {
    up = await healthServer('SERVING');
    down = await healthServer('NOT_SERVING');
  });
  after(() => {
    up.server.forceShutdown();
    down.server.forceShutdown();
  });

  it('exits 0 when every address answers SERVING', async () => {
    const r = await run('--timeout', '5', up.address, up.address);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${up.address} SERVING\n${up.address} SERVING\n`);
  });

  it('exits 1 naming the one that is NOT_SERVING or unreachable', async () => {
    const r = await run('--timeout', '1', up.address, down.address, '127.0.0.1:1');
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`${down.address} NOT_SERVING`));
    assert.match(r.stdout, /127\.0\.0\.1:1 unreachable/);
  });

  it('waits for a service that turns SERVING within the timeout', async () => {
    const later = await healthServer('NOT_SERVING');
    try {
      setTimeout(() => later.health.setStatus('', 'SERVING'), 500);
      const r = await run('--timeout', '5', later.address);
      assert.equal(r.code, 0, r.stdout);
    } finally {
      later.server.forceShutdown();
    }
  });

  it('exits 2 for an argument that is not HOST:PORT', async () => {
    const r = await run('orchestrator');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not HOST:PORT: orchestrator/);
  });
});
