import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Progress } from './progress.js';

function sink(isTTY: boolean): { text: string[]; isTTY: boolean; write(s: string): void } {
  return {
    text: [],
    isTTY,
    write(s: string) {
      this.text.push(s);
    },
  };
}

test('on a TTY the bar redraws in place and the last line ends with a newline', () => {
  let t = 0;
  const out = sink(true);
  const p = new Progress(out, 'GQA train', { total: 4, now: () => t, width: 4 });
  t = 1000;
  p.tick(2);
  assert.equal(out.text[0], '\r\x1b[2KGQA train: [##..] 2/4 (50.0%) 2.0/s eta 1s');
  p.tick(); // within the 100 ms interval: not redrawn
  assert.equal(out.text.length, 1);
  t = 2000;
  p.finish();
  assert.equal(out.text[1], '\r\x1b[2KGQA train: 3 done in 2.0s\n');
  p.finish();
  assert.equal(out.text.length, 2);
});

test('off a TTY it writes plain periodic log lines, no control characters', () => {
  let t = 0;
  const out = sink(false);
  const p = new Progress(out, 'hash', { now: () => t, logIntervalMs: 5000 });
  for (let i = 0; i < 10; i++) {
    t += 1000;
    p.tick();
  }
  assert.deepEqual(out.text, ['hash: 5 1.0/s\n', 'hash: 10 1.0/s\n']);
  p.finish();
  assert.equal(out.text.at(-1), 'hash: 10 done in 10.0s\n');
  assert.ok(out.text.every((s) => !s.includes('\x1b')));
});
