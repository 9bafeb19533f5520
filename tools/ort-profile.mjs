#!/usr/bin/env node
// node tools/ort-profile.mjs <profile.json> [--by op|shape] [--top N]
//
// Summarises an ONNX Runtime profile (SessionOptions `profile: true`, then `endProfiling()`): kernel
// time per run, grouped by op type or by op type and input shapes (every Loop iteration's nodes
// included), largest first. Profiling adds a few µs to every kernel, so read small ops relatively.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

function usage(message) {
  if (message) console.error(`ort-profile: ${message}`);
  console.error('usage: node tools/ort-profile.mjs <profile.json> [--by op|shape] [--top N]');
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: { by: { type: 'string', default: 'op' }, top: { type: 'string', default: '25' } },
  });
} catch (e) {
  usage(e.message);
}
const [file] = parsed.positionals;
if (!file) usage('no profile file given');
const by = parsed.values.by;
const top = Number(parsed.values.top);
if (by !== 'op' && by !== 'shape') usage(`--by must be op or shape, got ${by}`);
if (!Number.isInteger(top) || top < 1) usage(`--top must be a positive integer`);

let events;
try {
  events = JSON.parse(readFileSync(file, 'utf8'));
} catch (e) {
  usage(`cannot read ${file} as JSON: ${e.message}`);
}
if (!Array.isArray(events)) usage(`${file} is not an ORT profile (expected a JSON array of events)`);

const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').length;
if (runs === 0) usage(`${file} records no model_run: was the session run before endProfiling()?`);
const groups = new Map();
let total = 0;
for (const e of events) {
  if (e.cat !== 'Node' || !String(e.name).endsWith('_kernel_time')) continue;
  const op = e.args?.op_name ?? '?';
  if (op === 'Loop' || op === 'If' || op === 'Scan') continue; // their bodies' nodes are listed themselves
  const shapes = (e.args?.input_type_shape ?? []).map((s) => Object.values(s)[0]);
  const key = by === 'op' ? op : `${op} ${JSON.stringify(shapes)}`;
  const g = groups.get(key) ?? { us: 0, count: 0 };
  g.us += e.dur;
  g.count += 1;
  groups.set(key, g);
  total += e.dur;
}

console.log(`${file}: ${runs} run(s), kernel time ${(total / runs / 1000).toFixed(2)} ms per run`);
console.log('  ms/run   share   calls/run   µs/call  group');
for (const [key, g] of [...groups].sort((a, b) => b[1].us - a[1].us).slice(0, top)) {
  const line = [
    (g.us / runs / 1000).toFixed(2).padStart(8),
    `${((100 * g.us) / total).toFixed(1)}%`.padStart(7),
    String(Math.round(g.count / runs)).padStart(11),
    (g.us / g.count).toFixed(1).padStart(9),
  ];
  console.log(`${line.join(' ')}  ${key}`);
}
