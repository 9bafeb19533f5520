#!/usr/bin/env node
// grpc.health.v1 Check (service "") against each HOST:PORT given, retried until every one answers
// SERVING or the timeout passes. One line per address; exit 0 when all are SERVING, 1 otherwise,
// 2 for bad arguments. The Helm chart's `helm test` pod runs it from the app image
// (helm/coin/templates/tests/health.yaml).
// Usage: node tools/grpc-health.mjs [--timeout SECONDS] HOST:PORT...
import grpc from '@grpc/grpc-js';
import healthCheck from 'grpc-health-check';

const STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
const HealthClient = grpc.makeClientConstructor(healthCheck.service, 'grpc.health.v1.Health');

function parse(argv) {
  let timeoutS = 10;
  const addresses = [];
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--timeout') {
      timeoutS = Number(argv[i + 1]);
      i += 1;
    } else addresses.push(argv[i]);
  }
  const bad = addresses.filter((a) => !/^[^:\s]+:\d+$/.test(a));
  if (!(timeoutS > 0) || addresses.length === 0 || bad.length > 0) {
    process.stderr.write(
      `grpc-health: ${bad.length > 0 ? `not HOST:PORT: ${bad.join(', ')}` : 'nothing to check'}\n` +
        '  usage: node tools/grpc-health.mjs [--timeout SECONDS] HOST:PORT...\n',
    );
    process.exit(2);
  }
  return { timeoutMs: timeoutS * 1000, addresses };
}

/** The status name, or `unreachable (<why>)`. */
function check(address, deadlineMs) {
  const client = new HealthClient(address, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.check({ service: '' }, { deadline: Date.now() + deadlineMs }, (error, reply) => {
      client.close();
      if (error) resolve(`unreachable (${error.details || error.message})`);
      else resolve(typeof reply.status === 'number' ? (STATUS[reply.status] ?? String(reply.status)) : reply.status);
    });
  });
}

async function untilServing(address, until) {
  for (;;) {
    const status = await check(address, Math.max(200, Math.min(2000, until - Date.now())));
    if (status === 'SERVING' || Date.now() >= until) return status;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const { timeoutMs, addresses } = parse(process.argv.slice(2));
const until = Date.now() + timeoutMs;
const results = await Promise.all(addresses.map((a) => untilServing(a, until)));
for (const [i, address] of addresses.entries()) process.stdout.write(`${address} ${results[i]}\n`);
process.exit(results.every((s) => s === 'SERVING') ? 0 : 1);
