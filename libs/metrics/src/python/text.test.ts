import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pyStrip } from '@coin/core';
import {
  compareCodePoints,
  isPyWordChar,
  pyDecimalValue,
  pyFloat,
  pyIsNumeric,
  pyLen,
  pySplitWhitespace,
} from './text.js';
import { firstStandaloneWordChar } from '../scorers/scienceqa.js';
import { pyLower, pyUpper } from './unicode14.js';

// [s, repr(float(s)) or null where CPython 3.11 raises ValueError]
const FLOATS: Array<[string, string | null]> = [
  ['8', '8'],
  [' 7 ', '7'],
  ['10', '10'],
  ['1_0', '10'],
  ['_1', null],
  ['1_', null],
  ['1__0', null],
  ['1_000.5', '1000.5'],
  ['1.0_1', '1.01'],
  ['1e1_0', '10000000000'],
  ['1_e5', null],
  ['+.5', '0.5'],
  ['.5', '0.5'],
  ['5.', '5'],
  ['.', null],
  ['e5', null],
  ['1e5', '100000'],
  ['1E-3', '0.001'],
  ['inf', 'Infinity'],
  ['-Infinity', '-Infinity'],
  ['iNfInItY', 'Infinity'],
  ['nan', 'NaN'],
  ['-nan', 'NaN'],
  ['+inf', 'Infinity'],
  ['infinit', null],
  ['1,5', null],
  ['\u0661\u0662', '12'],
  ['\uff11\uff10', '10'],
  ['\u0668.\u0665', '8.5'],
  ['\u2003 7\u2003', '7'],
  ['\u001c8\u001f', null],
  ['\ufeff8', null],
  ['8\u0085', '8'],
  ['0x10', null],
  ['1e400', 'Infinity'],
  ['-0', '0'],
  ['\u00b2', null],
  ['\u00bd', null],
  ['\u4e94', null],
  ['', null],
  ['  ', null],
  ['1 0', null],
  ['0b1', null],
  ['1e', null],
  ['--1', null],
  ['+-1', null],
  ['\u0661_\u0662', '12'],
  ['8\n', '8'],
];

// [s, s.isnumeric()]
const NUMERIC: Array<[string, boolean]> = [
  ['12', true],
  ['\u00bd', true],
  ['\u00b2', true],
  ['\u4e94', true],
  ['\u0661\u0662', true],
  ['1.5', false],
  ['-1', false],
  ['', false],
  ['\u2460', true],
  ['\u216b', true],
  ['10/', false],
  ['abc', false],
  ['8 ', false],
  ['\u3007', true],
  ['\u{1d7d8}', true],
  ['\u4e00\u4e8c', true],
];

// [s, re.findall(r'\b(\w)\b', s)[0] or null]
const STANDALONE: Array<[string, string | null]> = [
  ['a dog', 'a'],
  ['The answer is C.', 'C'],
  ['(C)', 'C'],
  ['AB', null],
  ['I think B', 'I'],
  ['\u00df', '\u00df'],
  ['\u00b2 is', '\u00b2'],
  ['\u00e9 x', '\u00e9'],
  ['_', '_'],
  ['x_y z', 'z'],
  ['\u{1f600} B', 'B'],
  ['B\u0301', 'B'],
  ['e\u0301 D', 'e'],
  ['', null],
  ['  ', null],
  ['\u01c5', '\u01c5'],
  ['\u0661 2', '\u0661'],
  ['\ufb01', '\ufb01'],
];

describe('Python str semantics', () => {
  it('float() accepts and rejects what CPython does', () => {
    for (const [s, expected] of FLOATS) {
      const got = pyFloat(s);
      assert.equal(got === undefined ? null : String(got === 0 ? 0 : got), expected, JSON.stringify(s));
    }
    assert.ok(Object.is(pyFloat('-0'), -0));
  });

  it('isnumeric() covers digits, superscripts, fractions, CJK numerals', () => {
    for (const [s, expected] of NUMERIC) assert.equal(pyIsNumeric(s), expected, JSON.stringify(s));
  });

  it("re's Unicode \\b(\\w)\\b finds the same first standalone character", () => {
    for (const [s, expected] of STANDALONE)
      assert.equal(firstStandaloneWordChar(s) ?? null, expected, JSON.stringify(s));
    assert.equal(isPyWordChar('\u0301'.codePointAt(0)!), false, 'combining marks are not \\w in Python');
  });

  it('strip/split use Python whitespace (U+001C..U+001F and U+0085 yes, U+FEFF no)', () => {
    assert.equal(pyStrip('\u001c a \u0085'), 'a');
    assert.equal(pyStrip('\ufeffa'), '\ufeffa');
    assert.deepEqual(pySplitWhitespace(' a\u3000b\u001fc  '), ['a', 'b', 'c']);
    assert.deepEqual(pySplitWhitespace('   '), []);
  });

  it('counts code points and compares strings by code point', () => {
    assert.equal(pyLen('\u{1f600}ab'), 3);
    assert.equal(compareCodePoints('\uffff', '\u{10000}'), -1); // UTF-16 order would say the opposite
    assert.equal('\uffff' < '\u{10000}', false);
  });

  it('reads the value of any Unicode decimal digit', () => {
    assert.equal(pyDecimalValue('\u0669'.codePointAt(0)!), 9);
    assert.equal(pyDecimalValue(0x1d7d8), 0); // MATHEMATICAL DOUBLE-STRUCK DIGIT ZERO
    assert.equal(pyDecimalValue(0x1d7e1), 9);
    assert.equal(pyDecimalValue('x'.codePointAt(0)!), -1);
  });

  it('classifies and case-maps like Unicode 14 (CPython 3.11), not the newer ICU tables', () => {
    assert.equal(pyUpper('\u019b'), '\u019b'); // ICU (Unicode 16) maps it to U+A7DC
    assert.equal('\u019b'.toUpperCase(), '\ua7dc');
    assert.equal(pyUpper('stra\u00dfe \u019b'), 'STRASSE \u019b');
    assert.equal(pyLower('\ua7dc'), '\ua7dc');
    assert.equal(isPyWordChar(0x31350), false); // CJK extension H: unassigned in Unicode 14
    assert.equal(isPyWordChar(0x19b), true);
    assert.equal(pyDecimalValue(0x10d40), -1); // Garay digit zero (Unicode 16)
  });
});
