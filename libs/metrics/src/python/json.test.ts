import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dumpPyJson, parsePyJson, pyEquals, pyKey, pyStr, PyJsonSyntaxError } from './json.js';

describe("Python's json module", () => {
  it('keeps ints and floats apart, as str() shows them', () => {
    assert.equal(pyStr(parsePyJson('1')), '1');
    assert.equal(pyStr(parsePyJson('1.0')), '1.0');
    assert.equal(pyStr(parsePyJson('1e3')), '1000.0');
    assert.equal(pyStr(parsePyJson('12345678901234567890')), '12345678901234567890'); // no precision loss
    assert.equal(pyStr(parsePyJson('null')), 'None');
    assert.equal(pyStr(parsePyJson('true')), 'True');
  });

  it('uses dict key equality across int, float and bool, not across str', () => {
    assert.equal(pyKey(1n), pyKey(1.0));
    assert.equal(pyKey(true), pyKey(1n));
    assert.notEqual(pyKey('1'), pyKey(1n));
    assert.equal(pyKey([]), undefined);
    assert.equal(pyEquals(NaN, NaN), false);
  });

  it('accepts NaN and Infinity, rejects what Python rejects', () => {
    assert.ok(Number.isNaN(parsePyJson('NaN') as number));
    assert.equal(parsePyJson('-Infinity'), -Infinity);
    for (const bad of ['', '01', '[1,]', '{"a":1,}', "'a'", '"\t"', '"\\x"', '1 2', '\ufeff1']) {
      assert.throws(() => parsePyJson(bad), PyJsonSyntaxError, JSON.stringify(bad));
    }
  });

  it('keeps insertion order of keys like "2" and a repeated key in its first place', () => {
    const v = parsePyJson('{"b": 1, "2": 2, "b": 3}');
    assert.equal(dumpPyJson(v), '{"b": 3, "2": 2}');
  });

  it('writes like json.dumps / json.dump(indent=n) with ensure_ascii', () => {
    const v = parsePyJson('{"s": "é😀\\u007f\\n\\"", "f": 2.50, "i": 7, "e": [], "o": {}, "l": [1, null, true]}');
    assert.equal(
      dumpPyJson(v),
      '{"s": "\\u00e9\\ud83d\\ude00\\u007f\\n\\"", "f": 2.5, "i": 7, "e": [], "o": {}, "l": [1, null, true]}',
    );
    assert.equal(
      dumpPyJson(v, 2),
      '{\n  "s": "\\u00e9\\ud83d\\ude00\\u007f\\n\\"",\n  "f": 2.5,\n  "i": 7,\n  "e": [],\n  "o": {},\n  "l": [\n    1,\n    null,\n    true\n  ]\n}',
    );
    assert.equal(dumpPyJson([1e16, 1e-5, NaN, -Infinity, -0]), '[1e+16, 1e-05, NaN, -Infinity, -0.0]');
  });
});
