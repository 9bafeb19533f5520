import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CoinError } from '@coin/core';
import {
  parseJsonChunks,
  readJsonFile,
  streamJsonArray,
  streamJsonFile,
  streamJsonObjectEntries,
  type TopLevelItem,
} from './json-stream.js';

function chunksOf(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function parseAll(text: string, size: number): TopLevelItem[] {
  return [...parseJsonChunks(chunksOf(text, size), 'mem.json')];
}

/** Rebuilds the root from the streamed items, to compare with JSON.parse. */
function rebuild(items: TopLevelItem[], text: string): unknown {
  if (text.trimStart().startsWith('[')) return items.map((i) => i.value);
  const out: Record<string, unknown> = {};
  for (const i of items)
    Object.defineProperty(out, i.key as string, {
      value: i.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

const VALID: ReadonlyArray<{ name: string; text: string }> = [
  { name: 'empty array', text: '[]' },
  { name: 'empty object', text: ' {\n}\n' },
  { name: 'escapes', text: String.raw`["a\"b", "back\\slash", "\/", "\b\f\n\r\t", "tab\tin"]` },
  { name: 'unicode escapes and surrogate pair', text: String.raw`["\u00e9\u4e2d", "\ud83d\ude00", "\u0000"]` },
  { name: 'raw non-ASCII', text: '["héllo wörld 中文 😀", {"ключ": "значение"}]' },
  { name: 'nested arrays', text: '[[[]], [[1, [2, [3, []]]]], [{"a": [[{}]]}]]' },
  {
    name: 'numbers',
    text: '[0, -0, 1, -1, 12.5, 1e3, 1E-3, -2.5e+10, 0.000001, 123456789012345, 1.7976931348623157e308]',
  },
  { name: 'literals', text: '[true, false, null, {"t": true, "f": false, "n": null}]' },
  { name: 'object entries', text: '{"201": {"imageId": "n1", "answer": "yes"}, "202": {"q": [1, 2]}, "": 3}' },
  { name: '__proto__ key stays data', text: '{"x": {"__proto__": {"polluted": 1}}}' },
  { name: 'whitespace everywhere', text: ' \r\n\t[ 1 ,\n\t2 , { "a" : [ ] } ] \n' },
];

for (const { name, text } of VALID) {
  test(`parses ${name} like JSON.parse, in every chunking`, () => {
    const expected = JSON.parse(text) as unknown;
    for (const size of [1, 2, 3, 7, 1000]) {
      assert.deepEqual(rebuild(parseAll(text, size), text), expected, `chunk size ${size}`);
    }
  });
}

test('top-level items carry key, index and start position', () => {
  const items = parseAll('{\n  "a": 1,\n  "b": [2]\n}', 1);
  assert.deepEqual(
    items.map((i) => [i.key, i.index, i.line, i.column]),
    [
      ['a', 0, 2, 3],
      ['b', 1, 3, 3],
    ],
  );
  const arr = parseAll('[\n {"x": 1},\n    7]', 2);
  assert.deepEqual(
    arr.map((i) => [i.index, i.line, i.column]),
    [
      [0, 2, 2],
      [1, 3, 5],
    ],
  );
});

const MALFORMED: ReadonlyArray<{ name: string; text: string; line: number; column: number; message: RegExp }> = [
  { name: 'truncated array', text: '[1, 2', line: 1, column: 6, message: /truncated/ },
  { name: 'trailing comma', text: '[1,\n 2,\n]', line: 3, column: 1, message: /expected a value/ },
  { name: 'missing comma', text: '[1 2]', line: 1, column: 4, message: /expected ',' or ']'/ },
  { name: 'missing colon', text: '{"a" 1}', line: 1, column: 6, message: /expected ':'/ },
  { name: 'non-string key', text: '{1: 2}', line: 1, column: 2, message: /object key/ },
  { name: 'bad escape', text: '["a\\x"]', line: 1, column: 5, message: /invalid escape/ },
  { name: 'bad unicode escape', text: '["\\u12G4"]', line: 1, column: 7, message: /hex digit/ },
  { name: 'raw newline in string', text: '["a\nb"]', line: 1, column: 4, message: /control character/ },
  { name: 'leading zero', text: '[01]', line: 1, column: 2, message: /invalid number "01"/ },
  { name: 'bare exponent', text: '[1e]', line: 1, column: 2, message: /invalid number/ },
  { name: 'bad literal', text: '[\n  nul]', line: 2, column: 3, message: /unexpected word "nul"/ },
  { name: 'unterminated string', text: '["abc', line: 1, column: 2, message: /unterminated string/ },
  { name: 'garbage after root', text: '[1] 2', line: 1, column: 5, message: /after the end/ },
  { name: 'empty file', text: '  ', line: 1, column: 3, message: /empty/ },
  { name: 'single quotes', text: "['a']", line: 1, column: 2, message: /unexpected character/ },
];

for (const { name, text, line, column, message } of MALFORMED) {
  test(`reports ${name} with line and column, in every chunking`, () => {
    for (const size of [1, 3, 100]) {
      assert.throws(
        () => parseAll(text, size),
        (e: unknown) => {
          assert.ok(e instanceof CoinError, String(e));
          assert.equal(e.code, 'JSON.MALFORMED');
          assert.match(e.message, message);
          assert.deepEqual(
            [e.details.file, e.details.line, e.details.column],
            ['mem.json', line, column],
            `chunk size ${size}: ${e.message}`,
          );
          return true;
        },
      );
    }
  });
}

test('yields elements before the end of a malformed file is reached', () => {
  const seen: unknown[] = [];
  assert.throws(() => {
    for (const item of parseJsonChunks(chunksOf('[{"a":1},{"b":2},{"c":', 4), 'x.json', 'array')) seen.push(item.value);
  }, /truncated/);
  assert.deepEqual(seen, [{ a: 1 }, { b: 2 }]);
});

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coin-json-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('streams a file with 1-byte reads across multi-byte UTF-8 and a BOM', async () => {
  const path = join(dir, 'utf8.json');
  const value = [{ q: 'caf\u00e9 😀 中', n: -1.5e-7 }, 'ok'];
  await writeFile(path, `\ufeff${JSON.stringify(value)}`);
  const items: unknown[] = [];
  for await (const item of streamJsonArray(path, { chunkBytes: 1 })) items.push(item.value);
  assert.deepEqual(items, value);
});

test('invalid UTF-8 is malformed input', async () => {
  const path = join(dir, 'latin1.json');
  await writeFile(path, Buffer.from([0x5b, 0x22, 0xe9, 0x22, 0x5d]));
  await assert.rejects(async () => {
    for await (const _ of streamJsonFile(path)) void _;
  }, /invalid UTF-8/);
});

test('the expected top level is enforced', async () => {
  const path = join(dir, 'obj.json');
  await writeFile(path, '{"a": 1}');
  await assert.rejects(
    async () => {
      for await (const _ of streamJsonArray(path)) void _;
    },
    (e: unknown) =>
      e instanceof CoinError && e.code === 'JSON.UNEXPECTED_TOP_LEVEL' && /start with '\['/.test(e.message),
  );
  const entries: Array<[string | undefined, unknown]> = [];
  for await (const item of streamJsonObjectEntries(path)) entries.push([item.key, item.value]);
  assert.deepEqual(entries, [['a', 1]]);
});

test('a missing file is NOT_FOUND', async () => {
  await assert.rejects(
    async () => {
      for await (const _ of streamJsonFile(join(dir, 'nope.json'))) void _;
    },
    (e: unknown) => e instanceof CoinError && e.kind === 'NOT_FOUND',
  );
});

test('readJsonFile parses small files and locates errors', async () => {
  const good = join(dir, 'good.json');
  await writeFile(good, '{"a": [1, 2]}');
  assert.deepEqual(await readJsonFile(good), { a: [1, 2] });
  const bad = join(dir, 'bad.json');
  await writeFile(bad, '{"a": [1,\n 2,, 3]}');
  await assert.rejects(
    readJsonFile(bad),
    (e: unknown) => e instanceof CoinError && e.details.line === 2 && e.details.column === 4,
  );
});

test('memory stays bounded while streaming a large array', async () => {
  const path = join(dir, 'big.json');
  const element = JSON.stringify({ question: 'x'.repeat(200), answer: 'y' });
  const count = 60000; // ~13 MB
  await writeFile(path, `[${Array.from({ length: count }, () => element).join(',\n')}]`);
  // Live heap after a full collection, so garbage does not count (the trick to get gc() without a flag).
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  const before = process.memoryUsage().heapUsed;
  let peak = 0;
  let n = 0;
  for await (const item of streamJsonArray(path)) {
    n++;
    if (n % 10000 === 0) {
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed - before);
    }
    void item;
  }
  assert.equal(n, count);
  assert.ok(peak < 4 * 1024 * 1024, `live heap grew by ${peak} bytes while streaming a 13 MB file`);
});

test('streams the array under one key of a root object, skipping the other keys', () => {
  const text = '{"info": {"v": 1}, "annotations": [\n {"question_id": 1},\n {"question_id": 2}], "license": [1, [2]]}';
  for (const size of [1, 5, 1000]) {
    const items = [...parseJsonChunks(chunksOf(text, size), 'vqa.json', 'object', 'annotations')];
    assert.deepEqual(
      items.map((i) => [i.index, i.value, i.line]),
      [
        [0, { question_id: 1 }, 2],
        [1, { question_id: 2 }, 3],
      ],
    );
  }
  assert.throws(
    () => [...parseJsonChunks(['{"data": []}'], 'x.json', 'object', 'annotations')],
    /no key "annotations"/,
  );
  assert.throws(
    () => [...parseJsonChunks(['{"annotations": {}}'], 'x.json', 'object', 'annotations')],
    /expected an array under key "annotations"/,
  );
  assert.throws(() => [...parseJsonChunks(['[1]'], 'x.json', 'object', 'annotations')], /start with '\{'/);
});
