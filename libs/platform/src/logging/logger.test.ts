import { strict as assert } from 'node:assert';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../index.js';

function capture() {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { stream, text: () => chunks.join('') };
}

test('json logs are one object per line with the component name', () => {
  const out = capture();
  const log = createLogger({ level: 'info', format: 'json', name: 'trainer', destination: out.stream });
  log.info({ stage: 3 }, 'stage done');
  log.debug('hidden');
  const lines = out.text().trim().split('\n');
  assert.equal(lines.length, 1);
  const record = JSON.parse(lines[0]);
  assert.equal(record.msg, 'stage done');
  assert.equal(record.name, 'trainer');
  assert.equal(record.stage, 3);
});

test('pretty logs are readable lines', () => {
  const out = capture();
  const log = createLogger({ level: 'debug', format: 'pretty', destination: out.stream });
  log.warn('careful');
  assert.match(out.text(), /WARN.*careful/);
});
